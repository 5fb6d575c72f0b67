package dev.mmalign.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer processes' JVM options: pods and the claim preparation run C1 only with the serial collector, and
 * map the class-data archive beside the trainer jar when the build made one (TrainerArchiveIT maps the one the build
 * made).
 */
class TrainerJvmTest {
    @TempDir Path dir;

    @Test
    void podsAndThePreparationMapTheArchiveBesideTheJarWhenThereIsOne() throws Exception {
        Path jar = Files.writeString(dir.resolve("mmalign-trainer.jar"), "jar");
        Path archive = TrainerJvm.archive(jar);
        assertEquals(dir.resolve("mmalign-trainer.jsa"), archive);
        assertEquals(List.of(TrainerJvm.C1_ONLY, TrainerJvm.SERIAL_GC), TrainerJvm.podOptions(archive),
                "no archive: C1 only, serial collector");
        assertEquals(List.of(TrainerJvm.C1_ONLY, TrainerJvm.SERIAL_GC), TrainerJvm.preparationOptions(archive),
                "no archive: the preparation writes none either");

        Files.writeString(archive, "archive");
        assertEquals(List.of(TrainerJvm.C1_ONLY, TrainerJvm.SERIAL_GC, "-XX:SharedArchiveFile=" + archive),
                TrainerJvm.podOptions(archive));
        assertEquals(List.of(TrainerJvm.C1_ONLY, TrainerJvm.SERIAL_GC, "-XX:SharedArchiveFile=" + archive),
                TrainerJvm.preparationOptions(archive));
    }

    @Test
    void listingPodsWriteTheirClassesAndMapNoArchive() {
        assertEquals(List.of(TrainerJvm.C1_ONLY, TrainerJvm.SERIAL_GC,
                "-XX:DumpLoadedClassList=" + PodClassList.POD_FILE), TrainerJvm.classListingPodOptions());
    }
}
