package dev.mmalign.trainer.quickstart;

import ai.djl.pytorch.jni.JniUtils;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs stages that do not depend on each other (the four alignment trainings, which read only the base and the
 * dataset; then the six models' evaluations, each into its own folder) a few at a time, each on its own thread and
 * each through the quickstart's stage runner as when run alone.
 *
 * <p>Why threads are safe here: every training has its own model, managers and files; backward passes go through
 * {@code JniUtils.backward} and libtorch's grad mode is per thread (no DJL GradientCollector, of which only one may be
 * open per process; each stage's thread starts in the caller's grad mode); the only shared random state, libtorch's generator, is reseeded and drawn from under one lock
 * (LoRA dropout, {@code LlavaModel.seedGenerator}). Each thread runs its ops with the process's intra-op thread count,
 * so a training's bits are those of the same training run alone (ConcurrentStagesTest checks it).
 *
 * <p>How many at once: the cores over libtorch's intra-op threads, so that the machine is not oversubscribed and the
 * thread count, part of the result (ENGINE.md, "Determinism"), stays what it is. On 2 cores (1 intra-op thread) that
 * is two trainings at a time, using the core the single-threaded trainings left idle.
 *
 * <p>Each stage prints its line when it ends, naming the stages that ran beside it. After a failure (or a stop: every
 * stage sees the same stop signal) no further stage starts; the ones running end as they do, and the first failure in
 * the given order is thrown once all have ended, so a rerun resumes every interrupted stage.
 */
final class ConcurrentStages {

    /** One stage: runs it (throwing on failure) and returns its printed line, without the line break. */
    interface Work {
        String run() throws IOException;
    }

    /** A stage with its name, as the printed lines name the stages that ran beside it. */
    record Job(String name, Work work) {}

    private final PrintStream out;
    private final int parallelism;

    ConcurrentStages(PrintStream out, int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
        }
        this.out = out;
        this.parallelism = parallelism;
    }

    /** Stages at a time on this machine: cores over libtorch's intra-op threads, at least 1. */
    static int machineParallelism() {
        // Loads the engine first: on a rerun every earlier stage may have been skipped without touching libtorch,
        // and asking an unloaded library its thread count fails with UnsatisfiedLinkError.
        ai.djl.engine.Engine.getInstance();
        return Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, JniUtils.getNumThreads()));
    }

    /** Runs the jobs, at most {@code parallelism} at a time, in order of starting; returns when all have ended. */
    void run(List<Job> jobs) throws IOException {
        int threads = Math.min(parallelism, jobs.size());
        if (threads <= 1) {
            for (Job job : jobs) {
                out.println(job.work().run());
            }
            return;
        }
        long[] started = new long[jobs.size()];
        long[] ended = new long[jobs.size()];
        AtomicBoolean failed = new AtomicBoolean();
        // libtorch's grad mode is per thread: off where DJL loaded the engine, on in a new thread, where AdamW's
        // in-place updates of the trained leaves would be refused. Each stage gets the caller's mode, as when alone.
        boolean gradMode = JniUtils.isGradMode();
        ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
            Thread t = new Thread(runnable, "mmalign-quickstart-stage");
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < jobs.size(); i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    if (failed.get()) {
                        return null; // an earlier stage failed or was stopped: as a serial run, start nothing more
                    }
                    JniUtils.setGradMode(gradMode);
                    synchronized (started) {
                        started[index] = System.nanoTime();
                    }
                    try {
                        String line = jobs.get(index).work().run();
                        synchronized (started) {
                            ended[index] = System.nanoTime();
                            out.println(line + beside(jobs, started, ended, index));
                        }
                        return null;
                    } catch (IOException | RuntimeException | Error e) {
                        failed.set(true);
                        throw e;
                    }
                }));
            }
            Throwable first = null;
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (first == null) first = e.getCause();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the quickstart's stages", e);
                }
            }
            if (first instanceof IOException io) throw io;
            if (first instanceof RuntimeException re) throw re;
            if (first instanceof Error err) throw err;
        } finally {
            pool.shutdown();
        }
    }

    /** " (beside a, b)": the stages whose run overlapped job {@code index}'s; all of them have started by its end. */
    private static String beside(List<Job> jobs, long[] started, long[] ended, int index) {
        List<String> names = new ArrayList<>();
        for (int j = 0; j < jobs.size(); j++) {
            boolean overlapped = started[j] != 0 && started[j] < ended[index]
                    && (ended[j] == 0 || ended[j] > started[index]);
            if (j != index && overlapped) names.add(jobs.get(j).name());
        }
        return names.isEmpty() ? "" : " (beside " + String.join(", ", names) + ")";
    }
}
