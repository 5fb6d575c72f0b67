package dev.mmalign.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards what local mode's shutdown hook does to a claim being prepared (SIGTERM to local mode, or Ctrl-C), through
 * {@link ClaimPreparer#stop()} — the hook's own call — with a stand-in trainer ({@link FakePrepareTrainer}): the
 * trainer process gets SIGTERM (its shutdown hook runs: it could keep its work) and is gone when stop returns (no
 * orphan), the preparation reports that it stopped, the claim stays empty, its partial work stays, and the next
 * preparation resumes in the same folder and completes the claim.
 */
class ClaimPreparerStopTest {

    private static final String CLAIM = "default/quickstart-data";

    @TempDir
    Path dir;

    @Test
    void stopEndsTheTrainerKeepsItsWorkAndTheNextPreparationResumesIt() throws Exception {
        Path jar = fakeTrainerJar();
        Path claimDir = dir.resolve("claims/default/quickstart-data");
        Path work = dir.resolve("claims/default/quickstart-data.preparing/.quickstart");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

        ClaimPreparer blocking = new ClaimPreparer(jar, List.of("--block"), Map.of(), dir.resolve("logs"), out);
        FutureTask<Boolean> preparing = new FutureTask<>(() -> blocking.prepareIfEmpty(CLAIM, claimDir));
        new Thread(preparing, "preparing").start();
        // A hang guard, not a timing check: generous for a loaded 2-core machine.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(work.resolve("pid")) && !preparing.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(work.resolve("pid")), "the trainer started: " + printed);
        long pid = Long.parseLong(Files.readString(work.resolve("pid")));

        blocking.stop();

        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "no trainer process left");
        assertFalse(preparing.get(120, TimeUnit.SECONDS), "the preparation did not complete");
        assertTrue(Files.exists(work.resolve("stopped-cleanly")), "SIGTERM, so the trainer could keep its work");
        assertTrue(Files.exists(work.resolve("partial")), "its work is kept");
        assertTrue(ClaimPreparer.isEmpty(claimDir), "the claim is not taken for prepared");
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("preparation stopped"), printed.toString());
        assertFalse(blocking.prepareIfEmpty(CLAIM, claimDir), "a stopped preparer starts no trainer");

        List<String> make = new ArrayList<>();
        ClaimPreparer.LAYOUT.forEach(piece -> make.addAll(List.of("--make", piece)));
        ClaimPreparer next = new ClaimPreparer(jar, make, Map.of(), dir.resolve("logs"), out);
        assertTrue(next.prepareIfEmpty(CLAIM, claimDir), printed.toString());
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("resuming the interrupted preparation"));
        assertTrue(Files.exists(claimDir.resolve(".quickstart/resumed")), "the trainer found its earlier work");
        for (String piece : ClaimPreparer.LAYOUT) {
            assertTrue(Files.exists(claimDir.resolve(piece)), piece);
        }
        assertEquals(0, countPreparing(), "the staging folder became the claim");
    }

    private long countPreparing() throws Exception {
        try (var s = Files.list(dir.resolve("claims/default"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".preparing")).count();
        }
    }

    /** A jar holding {@link FakePrepareTrainer} alone, run as {@code java -jar} as the trainer's jar is. */
    private Path fakeTrainerJar() throws Exception {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakePrepareTrainer.class.getName());
        Path jar = dir.resolve("fake-trainer.jar");
        String entry = FakePrepareTrainer.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file, manifest);
             InputStream in = FakePrepareTrainer.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }
}
