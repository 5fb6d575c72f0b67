package dev.mmalign.trainer.progress;

import dev.mmalign.api.common.Progress;

/**
 * Where a stage's live progress goes: a file or stdout outside a cluster, the owner's .status.progress inside one.
 * Reporting must never fail a stage: implementations log and swallow their own errors.
 */
public interface ProgressReporter extends AutoCloseable {

    void report(Progress progress);

    /** Sends anything held back (throttled reporters) and releases resources. */
    @Override
    default void close() {}

    /** A reporter that drops everything (tests, nested helpers). */
    static ProgressReporter discard() {
        return progress -> {};
    }
}
