package dev.mmalign.operator.reconcile;

import dev.mmalign.api.common.StageState;
import dev.mmalign.operator.status.Transitions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;

import java.time.Instant;
import java.util.List;

/**
 * What one kind contributes to the reconcile template of {@link ReconcileShell}: how its status is shaped, how its
 * spec is validated, and how its stages are planned and applied. The order of the steps, the error handling and the
 * status write are the shell's, the same for every kind.
 *
 * @param <P>  the custom resource
 * @param <S>  its status type
 * @param <Ph> its phase enum
 */
public interface ReconcileSteps<P extends CustomResource<?, S>, S, Ph extends Enum<Ph>> {

    // --- The kind -----------------------------------------------------------------------------------------------

    /** The kind's name, for metrics. */
    String kind();

    /** The status of a resource never reconciled. */
    S emptyStatus();

    /** Status fields the stage pods write themselves (see {@link dev.mmalign.operator.status.StatusWriter}). */
    List<String> podOwnedFields();

    /** Whether the kind can be suspended (only then a Suspended condition is written). */
    boolean suspendable();

    /** The phase of a resource that failed for good (an invalid spec, a permanent error). */
    Ph failedPhase();

    // --- The fields every status has (the status classes of src/api share no base type) ------------------------

    Ph phase(S status);

    void setPhase(S status, Ph phase);

    Long observedGeneration(S status);

    void setObservedGeneration(S status, long generation);

    List<Condition> conditions(S status);

    List<StageState> stages(S status);

    // --- The steps, in the order the shell runs them --------------------------------------------------------------

    /** Validate: the spec's errors (pure), empty when valid. An invalid spec fails with reason InvalidSpec. */
    List<String> validate(P resource);

    /**
     * Plan and apply, for a valid spec: makes sure the resource's children exist (each stage's Job planned by the
     * kind's pure {@code *Plan} and applied by {@link dev.mmalign.operator.jobs.StageRunner}, which also observes
     * it), updates the stage entries and result fields of {@code status}, and says what that means. Stage by stage,
     * because a stage is planned from what the one before it produced.
     */
    Outcome<Ph> advance(P resource, S status, long generation, Instant now);

    /** Status: the kind's own fields that follow from the outcome (e.g. a completion time). Nothing by default. */
    default void completeStatus(S status, Outcome<Ph> outcome, Instant now) {}

    /**
     * Events besides the transitions the shell records, from the status after the reconcile ({@code
     * observedBefore}: the observedGeneration as read). None by default.
     */
    default List<Transitions.Event> notices(S status, Long observedBefore, long generation) {
        return List.of();
    }
}
