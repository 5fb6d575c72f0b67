package dev.mmalign.local;

import java.nio.file.Files;
import java.nio.file.Path;
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
 *   <li>A class-data archive (AppCDS) of the classes stage pods load, which every trainer JVM maps
 *       ({@code -XX:SharedArchiveFile}) instead of reading, parsing and verifying those classes from the jars. The
 *       trainer's build dumps it beside the jar ({@link #archive}: {@code java -Xshare:dump} from the jar's
 *       {@link PodClassList}, run with {@code -jar} and the same jar path as the pods, so that the class path it
 *       records is theirs; trainer-image's pom, execution {@code pod-class-archive}), so that no run pays for it.
 *       Until then the claim preparation wrote an archive of its own classes at its exit
 *       ({@code -XX:ArchiveClassesAtExit}): that held the first pod back by the dump's few seconds, on the run's
 *       critical path, and missed what only pods load (the Kubernetes client that reports progress). A dump beside
 *       the preparation instead cost about 7 CPU-s per run, about what the 15 pods saved (branch {@code podcds},
 *       session 8: an annotation pod 1.4-1.8 user + system CPU-s with the pods' archive against 1.7-2.3 with the
 *       preparation's, a training pod's start 1.0-1.1 against 1.4). The JVM checks the archive against the class path
 *       it runs (the jars' sizes and modification times): a rebuilt jar without a new dump, or another JDK, maps
 *       nothing and runs as without an archive; where the build made none (a jar not built by Maven), pods run
 *       without one.</li>
 * </ul>
 */
final class TrainerJvm {

    /** C1 only: see the class comment. */
    static final String C1_ONLY = "-XX:TieredStopAtLevel=1";
    /** The serial collector: see the class comment. */
    static final String SERIAL_GC = "-XX:+UseSerialGC";

    private TrainerJvm() {
    }

    /** The class-data archive the trainer's build dumps beside {@code trainerJar}: its name with {@code .jsa}. */
    static Path archive(Path trainerJar) {
        String name = trainerJar.getFileName().toString();
        String base = name.endsWith(".jar") ? name.substring(0, name.length() - 4) : name;
        return trainerJar.resolveSibling(base + ".jsa");
    }

    /** Options of a stage pod: C1 only, the serial collector, and the archive when there is one. */
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
     * Options of a stage pod that writes the classes it loads into {@value PodClassList#POD_FILE} in its own folder
     * (local mode's {@code --pod-class-lists}, to remake the {@link PodClassList}); no archive, so that the list
     * does not depend on one.
     */
    static List<String> classListingPodOptions() {
        return List.of(C1_ONLY, SERIAL_GC, "-XX:DumpLoadedClassList=" + PodClassList.POD_FILE);
    }

    /** Options of the claim preparation: those of a pod (its trainings run C1 only too, see the class comment). */
    static List<String> preparationOptions(Path archive) {
        return podOptions(archive);
    }
}
