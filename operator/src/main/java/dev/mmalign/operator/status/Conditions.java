package dev.mmalign.operator.status;

import dev.mmalign.api.common.ConditionTypes;
import dev.mmalign.operator.k8s.Times;
import io.fabric8.kubernetes.api.model.Condition;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Writes the standard conditions (pure). One call sets all of them from the resource's overall state, so they never
 * contradict each other; lastTransitionTime only moves when a condition's status changes.
 */
public final class Conditions {

    /**
     * The overall state a resource reports. WAITING: for something that is on its way (Progressing True). BLOCKED:
     * for something that failed (a dataset, a run): nothing moves until that one is fixed, so Progressing is False,
     * and the resource has not failed itself (Failed False): it goes on once the other becomes ready.
     */
    public enum State { READY, PROGRESSING, WAITING, BLOCKED, FAILED, SUSPENDED }

    private Conditions() {}

    /**
     * @param withSuspended whether the kind can be suspended (only then a Suspended condition is written)
     */
    public static void report(List<Condition> conditions, State state, String reason, String message,
                              long generation, Instant now, boolean withSuspended) {
        set(conditions, ConditionTypes.READY, state == State.READY, reason, message, generation, now);
        set(conditions, ConditionTypes.PROGRESSING, state == State.PROGRESSING || state == State.WAITING,
                reason, message, generation, now);
        set(conditions, ConditionTypes.FAILED, state == State.FAILED, reason, message, generation, now);
        if (withSuspended) {
            set(conditions, ConditionTypes.SUSPENDED, state == State.SUSPENDED, reason, message, generation, now);
        }
    }

    public static void set(List<Condition> conditions, String type, boolean status, String reason, String message,
                           long generation, Instant now) {
        String s = status ? "True" : "False";
        Optional<Condition> existing = find(conditions, type);
        Condition c = existing.orElseGet(() -> {
            Condition n = new Condition();
            n.setType(type);
            conditions.add(n);
            return n;
        });
        if (!s.equals(c.getStatus()) || c.getLastTransitionTime() == null) {
            c.setLastTransitionTime(Times.format(now));
        }
        c.setStatus(s);
        c.setReason(reason);
        c.setMessage(message == null ? "" : truncate(message));
        c.setObservedGeneration(generation);
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
    }

    /** Keeps status small: a condition message is a summary, not a log. */
    static String truncate(String message) {
        return message.length() <= 1024 ? message : message.substring(0, 1023) + "…";
    }
}
