package dev.mmalign.operator.local;

import io.quarkus.runtime.Application;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The operator — the normal Quarkus application, started exactly as in a cluster — on a thread of its own, so that
 * local mode can act once it is up and stop it when done.
 *
 * <p>Why not a {@code QuarkusApplication}: the operator extension only starts the operator by itself when the
 * application has no {@code QuarkusApplication} class, and that must stay true for the production image.
 */
final class OperatorThread {

    private static final Duration START_WAIT = Duration.ofMinutes(5);

    private final Thread thread;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Throwable failure;

    private OperatorThread() {
        thread = new Thread(() -> Quarkus.run((Class<? extends QuarkusApplication>) null, (code, t) -> {
            failure = t;
            ended.countDown();
        }), "mmalign-operator");
    }

    static OperatorThread start() {
        OperatorThread o = new OperatorThread();
        o.thread.start();
        return o;
    }

    /**
     * Waits until Quarkus has started (startup observers, which start the operator's controllers, have run).
     *
     * @return false, with the reason on stderr, when it failed to start
     */
    boolean awaitStarted() throws InterruptedException {
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Application app = Application.currentApplication();
            if (app != null && app.isStarted()) {
                return true;
            }
            if (ended.await(100, TimeUnit.MILLISECONDS)) {
                for (Throwable t = failure; t != null; t = t.getCause()) {
                    System.err.println((t == failure ? "local: the operator failed: " : "  caused by: ") + t);
                }
                return false;
            }
        }
        System.err.println("local: the operator did not start within " + START_WAIT.toMinutes() + " minutes");
        return false;
    }

    /** Waits until Quarkus ends by itself (Ctrl-C). */
    void join() throws InterruptedException {
        ended.await();
    }

    /** Stops the operator and waits for Quarkus to have shut down. */
    void stop() throws InterruptedException {
        Quarkus.asyncExit(0);
        ended.await(1, TimeUnit.MINUTES);
    }
}
