package dev.mmalign.trainer.stage;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Set on SIGTERM (preemption, Kueue suspend, node drain): stages check it between units of work, finish the unit in
 * hand (its output is appended atomically) and return with outcome {@code interrupted}. The one stop signal of the
 * trainer: the engine's training loop takes it as a {@code BooleanSupplier} ({@code stop::requested}), checked at every
 * optimiser step, so the engine needs no signal type of its own.
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
