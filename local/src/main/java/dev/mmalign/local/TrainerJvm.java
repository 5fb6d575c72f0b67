package dev.mmalign.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * JVM options of the trainer processes local mode starts: the claim preparation and every stage pod (about fifteen
 * for the quickstart, each a fresh {@code java -jar mmalign-trainer.jar}). Measured on the shared 2-core machine at
 * load 17-30, so in user + system CPU-seconds rather than wall time, two runs each: a 4-prompt sample stage (mostly
 * start-up) took 4.6 / 4.4 with the default options, 3.2 / 3.6 with C1 only, 3.0 / 3.8 with the class-data archive
 * and 2.4 / 2.6 with both.
 *
 * <ul>
 *   <li>{@code -XX:TieredStopAtLevel=1} for pods and the claim preparation: a pod lives seconds to a minute and does
 *       its arithmetic in libtorch; C2's compiler threads cost it more CPU than the code they optimise saves (with the
 *       archive: 96 sampled completions 5.7 / 6.0 CPU-s with C2, 4.3 / 3.8 with C1 only; 30 full fine-tuning steps
 *       6.8 / 5.3 and 4.1 / 3.9). The claim preparation's two trainings run about a minute, also mostly in libtorch:
 *       per-thread CPU (quiet machine, session 9) 8.0 CPU-s in C2's compiler threads and 1.7 in C1's with the
 *       default, 1.2 in C1's with C1 only, for 3 more in the training threads; 72.8 s wall against 68.2 s, the
 *       same models bit for bit. Alternating under the shared lock ({@code java -XX:+UseSerialGC [C1] -jar
 *       mmalign-trainer.jar quickstart --prepare-only}, seed 7, user + system CPU-s, load from other engineers'
 *       work beside it): C1 only 57.0 s / 102.6 CPU-s (load 1.9-2.0), 63.8 s / 112.0 (2.1-2.2) and 120.1 s / 128.2
 *       (3.3-3.7, tests running beside it) against the default's 88.2 s / 119.6 (1.9-3.3) and 92.9 s / 124.4
 *       (1.4-3.6); on the older trainer 82.6 s / 110.2 and 131.3 s / 110.2 (load 3-6) against 88.8 s / 109.9
 *       (2.7-3.1). Every run's models had the same sha256.</li>
 *   <li>{@code -XX:+UseSerialGC} for pods and the claim preparation (the operator's image runs it too): the tensors
 *       live outside the Java heap, which stays small, and G1's parallel and concurrent threads only compete with
 *       libtorch for the two cores. The quickstart's evaluation of the language model (644 samples), C1 and the
 *       archive, two runs each side by side at load 3.5-4.3: 8.7 / 8.8 user + system CPU-s with G1, 7.4 / 7.4 with
 *       the serial collector.</li>
 *   <li>A class-data archive (AppCDS): the claim preparation, the run's first trainer JVM, writes the classes it
 *       loaded into {@link #archive} at its exit ({@code -XX:ArchiveClassesAtExit}); every later trainer JVM maps it
 *       ({@code -XX:SharedArchiveFile}) instead of reading and verifying those classes from the jars. The archive is
 *       named after the trainer jar's size and modification time, so a rebuilt jar gets a new one; where none exists
 *       (the claim was prepared before), pods run without it. A JVM that cannot use an archive says so on its output
 *       and runs without it.</li>
 * </ul>
 */
final class TrainerJvm {

    /** C1 only: see the class comment. */
    static final String C1_ONLY = "-XX:TieredStopAtLevel=1";
    /** The serial collector: see the class comment. */
    static final String SERIAL_GC = "-XX:+UseSerialGC";

    private TrainerJvm() {
    }

    /** Where the class-data archive of {@code trainerJar} lives under the work folder. */
    static Path archive(Path workDir, Path trainerJar) throws IOException {
        String stamp = Files.size(trainerJar) + "-" + Files.getLastModifiedTime(trainerJar).toMillis();
        return workDir.toAbsolutePath().normalize().resolve("cds").resolve("trainer-" + stamp + ".jsa");
    }

    /** Options of a stage pod: C1 only, and the archive when there is one. */
    static List<String> podOptions(Path archive) {
        List<String> options = new ArrayList<>();
        options.add(C1_ONLY);
        options.add(SERIAL_GC);
        if (Files.isRegularFile(archive)) {
            options.add("-XX:SharedArchiveFile=" + archive);
        }
        return options;
    }

    /**
     * Options of the claim preparation: C1 only, the serial collector, and map the archive when there is one, else
     * write it at exit, to a temporary
     * name that {@link #keepArchive} renames, so that a preparation killed while writing leaves no half archive.
     */
    static List<String> preparationOptions(Path archive) throws IOException {
        if (Files.isRegularFile(archive)) {
            return List.of(C1_ONLY, SERIAL_GC, "-XX:SharedArchiveFile=" + archive);
        }
        Files.createDirectories(archive.getParent());
        return List.of(C1_ONLY, SERIAL_GC, "-XX:ArchiveClassesAtExit=" + writing(archive));
    }

    /** After the claim preparation: the archive it wrote, if any, becomes the one pods map. */
    static void keepArchive(Path archive) throws IOException {
        Path written = writing(archive);
        if (Files.isRegularFile(written)) {
            Files.move(written, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static Path writing(Path archive) {
        return archive.resolveSibling(archive.getFileName() + ".writing");
    }
}
