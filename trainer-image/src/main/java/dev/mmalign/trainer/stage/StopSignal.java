package dev.mmalign.trainer.stage;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Set on SIGTERM (preemption, Kueue suspend, node drain): stages check it between units of work, finish the unit in
 * hand (its output is appended atomically) and return with outcome {@code interrupted}.
 */
public final class StopSignal {

    private final AtomicBoolean requested = new AtomicBoolean();

    public void request() {
        requested.set(true);
    }

    public boolean requested() {
        return requested.get();
    }
}
