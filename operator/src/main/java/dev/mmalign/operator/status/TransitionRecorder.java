package dev.mmalign.operator.status;

import dev.mmalign.api.common.StageState;
import dev.mmalign.operator.k8s.EventRecorder;
import dev.mmalign.operator.k8s.Json;
import dev.mmalign.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.api.model.HasMetadata;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Arrays;
import java.util.List;

/**
 * After a reconcile: records an Event for every transition and counts failed Jobs. Transitions are found by comparing
 * the status before and after, so a restarted operator (whose status survived in the API server) does not repeat
 * them.
 */
@ApplicationScoped
public class TransitionRecorder {

    private final EventRecorder events;
    private final OperatorMetrics metrics;

    public TransitionRecorder(EventRecorder events, OperatorMetrics metrics) {
        this.events = events;
        this.metrics = metrics;
    }

    /** A deep copy of status.stages to compare against later. */
    public static List<StageState> snapshot(List<StageState> stages) {
        return Arrays.asList(Json.convert(stages, StageState[].class));
    }

    public void record(HasMetadata resource, String oldPhase, List<StageState> oldStages, String newPhase,
                       List<StageState> newStages, String reason, String message) {
        for (Transitions.Event e : Transitions.between(oldPhase, oldStages, newPhase, newStages, reason, message)) {
            events.record(resource, e.type(), e.reason(), e.message());
        }
        for (StageState now : newStages) {
            StageState before = oldStages.stream().filter(s -> s.name.equals(now.name)).findFirst().orElse(null);
            if (now.phase == StageState.Phase.Failed && now.jobName != null
                    && (before == null || before.phase != StageState.Phase.Failed
                    || !java.util.Objects.equals(before.jobName, now.jobName))) {
                metrics.jobFailed(resource.getKind(), now.name, reason);
            }
        }
    }

    /** Whether {@code stage} just reached a final phase (Succeeded or Failed). */
    public static boolean justFinished(List<StageState> oldStages, StageState now) {
        boolean finalNow = now.phase == StageState.Phase.Succeeded || now.phase == StageState.Phase.Failed;
        StageState before = oldStages.stream().filter(s -> s.name.equals(now.name)).findFirst().orElse(null);
        boolean finalBefore = before != null && java.util.Objects.equals(before.jobName, now.jobName)
                && (before.phase == StageState.Phase.Succeeded || before.phase == StageState.Phase.Failed);
        return finalNow && !finalBefore;
    }
}
