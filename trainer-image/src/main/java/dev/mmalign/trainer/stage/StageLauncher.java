package dev.mmalign.trainer.stage;

import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.StageName;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a stage the way a pod does: with the process environment and a SIGTERM handler that asks the stage to stop
 * after the unit in hand and waits (bounded) until the result is written, inside the pod's grace period.
 *
 * <p>Exit code after a SIGTERM: the stage's own (a JVM that shuts down on a signal would otherwise always exit 143):
 * 143 when it stopped early (outcome interrupted), 0 when its work was done anyway (the signal came during the last
 * unit), 2 or 3 for a permanent failure — so that the Job judges the pod by what the stage did.
 */
public final class StageLauncher {

    /** How long the SIGTERM handler waits for the stage to wrap up (Kubernetes' default grace period is 30 s). */
    private static final long GRACE_SECONDS = 25;

    private StageLauncher() {}

    public static int launch(StageName name, Path specFile, StageRunner.Stage stage, Map<String, String> env) {
        StopSignal stop = new StopSignal();
        CountDownLatch finished = new CountDownLatch(1);
        AtomicInteger exitCode = new AtomicInteger(ExitCodes.INTERRUPTED);
        Thread hook = new Thread(() -> {
            stop.request();
            try {
                if (finished.await(GRACE_SECONDS, TimeUnit.SECONDS)) {
                    System.out.flush();
                    System.err.flush();
                    Runtime.getRuntime().halt(exitCode.get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sigterm-" + name);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            int code = new StageRunner(env, System.err, stop).run(name, specFile, stage);
            exitCode.set(code);
            return code;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running and has just been released
            }
        }
    }
}
