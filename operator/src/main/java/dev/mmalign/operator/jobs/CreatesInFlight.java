package dev.mmalign.operator.jobs;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The children a reconcile is creating right now, so that their informer's ADD event does not reconcile the owner a
 * second time. The API server sends the watch event as it answers the create, and the event often arrives before the
 * reconcile has the answer and has put the new child into the cache (JOSDK skips events of children already there).
 * Then the owner was reconciled a second time for nothing: 8 of 20 runs in a small operator-bench run (issue #14);
 * with this, 304 reconciles for 300 runs.
 *
 * <p>An ADD event that comes while its child's create is in flight is held back here ({@link #holdBack}); when the
 * create ends, {@link #end} hands it back. The caller drops it when it is the very object the create returned (the
 * reconcile saw that), and lets it reconcile the owner otherwise: a create that failed, or an ADD of another version
 * (the informer re-listed and skipped the create's own version).
 */
final class CreatesInFlight {

    /** The held-back ADD of each child being created (empty while none came). */
    private final Map<ResourceID, Optional<HasMetadata>> inFlight = new ConcurrentHashMap<>();

    /** A create of {@code id} starts: its ADD events are held back until {@link #end}. */
    void begin(ResourceID id) {
        inFlight.put(id, Optional.empty());
    }

    /**
     * Whether the informer's ADD of {@code added} is held back (its create is in flight). Atomic with {@link #end}:
     * an ADD either is held back and handed to {@code end}, or comes after it and goes on as usual.
     */
    boolean holdBack(HasMetadata added) {
        return inFlight.computeIfPresent(ResourceID.fromResource(added), (id, held) -> Optional.of(added)) != null;
    }

    /** The create of {@code id} ended; returns the ADD event held back meanwhile, if any. */
    Optional<HasMetadata> end(ResourceID id) {
        Optional<HasMetadata> held = inFlight.remove(id);
        return held != null ? held : Optional.empty();
    }

    /**
     * Whether a held-back ADD still needs to reconcile the owner: unless it is the object the create returned
     * ({@code created} null: the create failed), the reconcile did not see what it says.
     */
    static boolean stillNeeded(HasMetadata held, HasMetadata created) {
        return created == null || !Objects.equals(held.getMetadata().getResourceVersion(),
                created.getMetadata().getResourceVersion());
    }
}
