package dev.mmalign.operator.status;

import dev.mmalign.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The shell every reconciler runs its pure reconcile in: time it, keep a copy of the status as read, reconcile, write
 * the status (pod-owned fields kept, see {@link StatusWriter}), record the phase and the outcome, and hand JOSDK only
 * the next look — the status is already written, so JOSDK must not write it again.
 *
 * @param <S> the status type
 * @param <P> the custom resource
 */
public final class ReconcileCycle<S, P extends CustomResource<?, S>> {

    private final String kind;
    private final Class<S> statusType;
    private final List<String> podOwnedFields;
    private final Function<S, Enum<?>> phase;
    private final OperatorMetrics metrics;

    /**
     * @param podOwnedFields status fields the stage pods write (see {@link StatusWriter})
     * @param phase          the phase of a status, for the phase gauges
     */
    public ReconcileCycle(String kind, Class<S> statusType, List<String> podOwnedFields, Function<S, Enum<?>> phase,
                          OperatorMetrics metrics) {
        this.kind = kind;
        this.statusType = statusType;
        this.podOwnedFields = List.copyOf(podOwnedFields);
        this.phase = phase;
        this.metrics = metrics;
    }

    /** Runs {@code reconcile} (which sets the resource's new status and says when to look again) in the shell. */
    public UpdateControl<P> run(P resource, Context<P> context, Function<P, UpdateControl<P>> reconcile) {
        var timer = metrics.startReconcile();
        try {
            Map<String, Object> asRead = StatusWriter.snapshot(resource.getStatus());
            UpdateControl<P> control = reconcile.apply(resource);
            StatusWriter.write(resource, asRead, context, statusType, podOwnedFields);
            metrics.phase(kind, resource, phase.apply(resource.getStatus()));
            metrics.reconciled(timer, kind, "success");
            return control.getScheduleDelay().map(d -> UpdateControl.<P>noUpdate().rescheduleAfter(d))
                    .orElseGet(UpdateControl::noUpdate);
        } catch (RuntimeException e) {
            metrics.reconciled(timer, kind, "error");
            throw e;
        }
    }
}
