package dev.mmalign.operator.reconcile;

import dev.mmalign.operator.status.Conditions.State;

/**
 * What one reconcile of a resource decided: the phase and standard conditions its status reports, and whether to
 * look again after {@code mmalign.wait-recheck-interval} although no event may come. The same type for every kind;
 * {@link ReconcileShell} writes it into the status.
 *
 * @param phase   the resource's phase (its kind's enum)
 * @param state   the overall state the standard conditions are set from
 * @param reason  CamelCase reason of the conditions and of the phase-change Event
 * @param message human-readable summary (condition message, Event text)
 * @param waiting waiting for another resource (a dataset, a run): look again after the recheck interval, as a
 *                safety net next to the watches
 * @param <Ph>    the kind's phase enum
 */
public record Outcome<Ph extends Enum<Ph>>(Ph phase, State state, String reason, String message, boolean waiting) {

    /** An outcome that needs no look before the next event. */
    public static <Ph extends Enum<Ph>> Outcome<Ph> of(Ph phase, State state, String reason, String message) {
        return new Outcome<>(phase, state, reason, message, false);
    }

    /** An outcome that waits for another resource: look again after the recheck interval. */
    public static <Ph extends Enum<Ph>> Outcome<Ph> waiting(Ph phase, State state, String reason, String message) {
        return new Outcome<>(phase, state, reason, message, true);
    }
}
