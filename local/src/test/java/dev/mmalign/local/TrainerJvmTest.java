package dev.mmalign.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer processes' JVM options: pods run C1 only and map the class-data archive once the claim preparation
 * has written it; the preparation writes it under a temporary name kept only when complete; a rebuilt jar never maps
 * an archive made from the old one.
 */
class TrainerJvmTest {
    @TempDir Path dir;

    @Test
    void podsMapTheArchiveOnlyOnceThePreparationHasWrittenIt() throws Exception {
        Path jar = Files.writeString(dir.resolve("trainer.jar"), "jar");
        Path archive = TrainerJvm.archive(dir.resolve("work"), jar);
        assertEquals(List.of(TrainerJvm.C1_ONLY, TrainerJvm.SERIAL_GC), TrainerJvm.podOptions(archive),
                "no archive yet: C1 only, serial collector");

        List<String> prepare = TrainerJvm.preparationOptions(archive);
        assertEquals(3, prepare.size());
        assertEquals(List.of(TrainerJvm.C1_ONLY, TrainerJvm.SERIAL_GC), prepare.subList(0, 2));
        assertTrue(prepare.get(2).startsWith("-XX:ArchiveClassesAtExit="), prepare.toString());
        Path written = Path.of(prepare.get(2).substring("-XX:ArchiveClassesAtExit=".length()));
        assertNotEquals(archive, written, "written under a temporary name");

        TrainerJvm.keepArchive(archive);
        assertFalse(Files.exists(archive), "a preparation that wrote nothing leaves no archive");

        Files.writeString(written, "archive");
        TrainerJvm.keepArchive(archive);
        assertTrue(Files.isRegularFile(archive));
        assertFalse(Files.exists(written));
        assertEquals(List.of(TrainerJvm.C1_ONLY, TrainerJvm.SERIAL_GC, "-XX:SharedArchiveFile=" + archive),
                TrainerJvm.podOptions(archive));
        assertEquals(List.of(TrainerJvm.C1_ONLY, TrainerJvm.SERIAL_GC, "-XX:SharedArchiveFile=" + archive),
                TrainerJvm.preparationOptions(archive),
                "a later preparation maps the archive instead of writing another");
    }

    @Test
    void aRebuiltJarGetsItsOwnArchive() throws Exception {
        Path jar = Files.writeString(dir.resolve("trainer.jar"), "jar");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(1_000_000));
        Path before = TrainerJvm.archive(dir, jar);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(2_000_000));
        assertNotEquals(before, TrainerJvm.archive(dir, jar), "same size, rebuilt later");
        Files.writeString(jar, "a longer jar");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(1_000_000));
        assertNotEquals(before, TrainerJvm.archive(dir, jar), "same time, other size");
    }
}
