package dev.mmalign.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The class-data archive trainer-image's build dumps beside the jar (after {@code package}, hence an IT) is one the
 * stage pods' JVM can map: pods would otherwise silently run without it.
 */
class TrainerArchiveIT {

    /**
     * The archive trainer-image's build dumped, mapped by a JVM that runs the jar as pods do, with sharing required
     * ({@code -Xshare:on} ends the JVM where the archive does not fit the jar's class path or this JVM): the trainer's
     * entry point comes from the archive. (That the list names what pods load, the Kubernetes client included, is
     * trainer-image's {@code PodClassListTest}.)
     */
    @Test
    void theBuiltArchiveMapsForTheJarAsPodsRunIt() throws Exception {
        Path jar = TestPaths.repoRoot().resolve(LocalExecutorConfig.DEFAULT_TRAINER_JAR);
        Path archive = TrainerJvm.archive(jar);
        assertTrue(Files.isRegularFile(archive), archive + " is missing: package trainer-image (mvn package)");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(TrainerJvm.podOptions(archive));
        cmd.addAll(List.of("-Xshare:on", "-Xlog:class+load=info", "-jar", jar.toString(), "--help"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), () -> "the trainer did not run with the archive:\n" + tail(output));
        assertTrue(output.lines().anyMatch(l -> l.contains(" dev.mmalign.trainer.cli.Main ")
                && l.contains("source: shared objects file")), () -> "not from the archive:\n" + tail(output));
    }

    private static String tail(String output) {
        List<String> lines = output.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
