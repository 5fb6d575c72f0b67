package dev.mmalign.trainer.engine.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Asks a running training loop to save a checkpoint and return at the next optimiser-step boundary.
 * {@link #onSigterm} wires it to SIGTERM: the JVM's shutdown hook requests the stop and then waits for the
 * loop to report that the checkpoint is on disk, so the process exits only after saving.
 */
public final class StopSignal {
    private volatile boolean requested;
    private final CountDownLatch finished = new CountDownLatch(1);

    public void request() {
        requested = true;
    }

    public boolean requested() {
        return requested;
    }

    /** Called by the loop when it has returned (checkpoint saved or run complete). */
    void finished() {
        finished.countDown();
    }

    /** A signal triggered by SIGTERM/SIGINT, holding the exit for at most {@code graceSeconds}. */
    public static StopSignal onSigterm(long graceSeconds) {
        StopSignal s = new StopSignal();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            s.request();
            try {
                if (!s.finished.await(graceSeconds, TimeUnit.SECONDS)) {
                    System.err.println("mmalign-trainer: no checkpoint within " + graceSeconds + " s of SIGTERM");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mmalign-sigterm-checkpoint"));
        return s;
    }
}
