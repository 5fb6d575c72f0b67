package dev.mmalign.trainer.stage;

import dev.mmalign.api.stage.StageName;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a stage the way a pod does: with the process environment and a SIGTERM handler that asks the stage to stop
 * after the unit in hand and waits (bounded) until the result is written, inside the pod's grace period.
 */
public final class StageLauncher {

    /** How long the SIGTERM handler waits for the stage to wrap up (Kubernetes' default grace period is 30 s). */
    private static final long GRACE_SECONDS = 25;

    private StageLauncher() {}

    public static int launch(StageName name, Path specFile, StageRunner.Stage stage, Map<String, String> env) {
        StopSignal stop = new StopSignal();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.request();
            try {
                finished.await(GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sigterm-" + name);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return new StageRunner(env, System.err, stop).run(name, specFile, stage);
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
