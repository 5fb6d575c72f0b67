package dev.mmalign.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Settings of the {@link LocalJobExecutor}.
 *
 * @param workDir        root of everything the executor writes: {@code volumes/<ns>/<claim>/} (PVCs),
 *                       {@code pods/<ns>/<pod>/} (ConfigMap/Secret/emptyDir folders, termination-log),
 *                       {@code logs/<ns>/<pod>.log} (stdout+stderr of each pod)
 * @param trainerJar     what a container command {@code mmalign-trainer ...} runs as {@code java -jar <trainerJar> ...}
 * @param trainerJvmArgs JVM options put before {@code -jar} (e.g. {@code -Xmx2g})
 * @param maxProcesses   how many pod processes run at once over all Jobs; further pods wait in phase Pending
 * @param overtaking     how many processes beyond {@code maxProcesses} pods of higher priority than every running pod
 *                       may take instead of waiting (0: none; see {@link PodRunner#startPending})
 * @param extraEnv       variables every pod process gets (before the pod's own env), e.g. the API server URL
 * @param resync         how often every Job is looked at even without an event (deadlines, free slots)
 */
public record LocalExecutorConfig(Path workDir, Path trainerJar, List<String> trainerJvmArgs, int maxProcesses,
                                  int overtaking, Map<String, String> extraEnv, Duration resync) {

    /** The default trainer jar relative to the repository root. */
    public static final String DEFAULT_TRAINER_JAR = "trainer-image/target/mmalign-trainer.jar";

    public LocalExecutorConfig {
        if (maxProcesses < 1) {
            throw new IllegalArgumentException("maxProcesses must be at least 1");
        }
        if (overtaking < 0) {
            throw new IllegalArgumentException("overtaking must not be negative");
        }
        workDir = workDir.toAbsolutePath().normalize();
        trainerJar = trainerJar.toAbsolutePath().normalize();
        trainerJvmArgs = List.copyOf(trainerJvmArgs);
        extraEnv = Map.copyOf(extraEnv);
    }

    /**
     * Two processes at once (a 2-core machine) and one more for a pod that overtakes, the trainer jar of the
     * repository, a 500 ms resync.
     */
    public static LocalExecutorConfig defaults(Path repoRoot, Path workDir) {
        return new LocalExecutorConfig(workDir, repoRoot.resolve(DEFAULT_TRAINER_JAR), List.of(), 2, 1, Map.of(),
                Duration.ofMillis(500));
    }

    public LocalExecutorConfig withMaxProcesses(int n) {
        return new LocalExecutorConfig(workDir, trainerJar, trainerJvmArgs, n, overtaking, extraEnv, resync);
    }

    public LocalExecutorConfig withOvertaking(int n) {
        return new LocalExecutorConfig(workDir, trainerJar, trainerJvmArgs, maxProcesses, n, extraEnv, resync);
    }

    public LocalExecutorConfig withTrainerJar(Path jar, List<String> jvmArgs) {
        return new LocalExecutorConfig(workDir, jar, jvmArgs, maxProcesses, overtaking, extraEnv, resync);
    }

    public LocalExecutorConfig withExtraEnv(Map<String, String> env) {
        return new LocalExecutorConfig(workDir, trainerJar, trainerJvmArgs, maxProcesses, overtaking, env, resync);
    }
}
