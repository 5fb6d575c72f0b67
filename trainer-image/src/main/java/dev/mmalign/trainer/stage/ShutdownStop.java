package dev.mmalign.trainer.stage;

import dev.mmalign.api.stage.ExitCodes;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Turns SIGTERM (and Ctrl-C's SIGINT: the JVM runs its shutdown hooks on both) into a stop request for the work in
 * hand: a shutdown hook asks {@link StopSignal} to stop, waits (bounded) until the work says it has ended — its
 * partial output written, as every stage writes it, so a rerun resumes — and then ends the process with the work's own
 * exit code (a JVM ending on a signal would otherwise exit 143 whatever the work did).
 *
 * <p>Used by a pod's stage ({@link StageLauncher}) and by the quickstart command, which runs many stages in one
 * process.
 */
public final class ShutdownStop implements AutoCloseable {

    /** How long the hook waits for the work to wrap up (Kubernetes' default grace period is 30 s). */
    public static final long GRACE_SECONDS = 25;

    private final StopSignal stop;
    private final long graceSeconds;
    private final IntConsumer halt;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicInteger exitCode = new AtomicInteger(ExitCodes.INTERRUPTED);
    private final Thread hook;

    /** Registers the hook for {@code stop}; {@link #close()} after the work removes it. */
    public static ShutdownStop install(String name, StopSignal stop) {
        ShutdownStop s = new ShutdownStop(name, stop, GRACE_SECONDS, code -> {
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(code);
        });
        Runtime.getRuntime().addShutdownHook(s.hook);
        return s;
    }

    /** Not registered: {@link #onSignal()} is called directly (tests), {@code halt} ends the "process". */
    ShutdownStop(String name, StopSignal stop, long graceSeconds, IntConsumer halt) {
        this.stop = stop;
        this.graceSeconds = graceSeconds;
        this.halt = halt;
        this.hook = new Thread(this::onSignal, "sigterm-" + name);
    }

    /**
     * What the hook does on a signal: asks the work to stop, waits up to the grace period for it to end, then halts
     * with its exit code. When the work does not end in time the hook returns and the JVM exits as signalled (143).
     */
    void onSignal() {
        stop.request();
        try {
            if (finished.await(graceSeconds, TimeUnit.SECONDS)) {
                halt.accept(exitCode.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The work ended with {@code code}: a waiting hook ends the process with it. */
    public void finished(int code) {
        exitCode.set(code);
        finished.countDown();
    }

    /** After the work: releases a waiting hook (exit code as last set) and removes the hook when none runs. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running and has just been released
        } catch (IllegalArgumentException e) {
            // never registered (tests)
        }
    }
}
