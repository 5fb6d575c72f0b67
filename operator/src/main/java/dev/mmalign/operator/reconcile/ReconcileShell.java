package dev.mmalign.operator.reconcile;

import dev.mmalign.api.common.ConditionTypes;
import dev.mmalign.api.common.LenientJson;
import dev.mmalign.api.common.LenientlyRead;
import dev.mmalign.api.common.StageState;
import dev.mmalign.operator.OperatorSettings;
import dev.mmalign.operator.k8s.EventRecorder;
import dev.mmalign.operator.metrics.OperatorMetrics;
import dev.mmalign.operator.status.Conditions;
import dev.mmalign.operator.status.Conditions.State;
import dev.mmalign.operator.status.SpecFields;
import dev.mmalign.operator.status.StatusWriter;
import dev.mmalign.operator.status.TransitionRecorder;
import dev.mmalign.operator.status.Transitions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import org.jboss.logging.Logger;

import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The one reconcile template of every mmalign kind, the kind's part supplied by its {@link ReconcileSteps}:
 * <ol>
 *   <li>observe: the resource and its status as read (kept to find transitions and pod-owned fields later);</li>
 *   <li>validate: first the values of the stored spec that did not fit its Java type (the kinds read their spec
 *       leniently, {@link LenientlyRead}, so that one bad object cannot stop the informer of its kind), then the
 *       kind's pure validator; an invalid spec fails with reason InvalidSpec, naming the field, and starts nothing;
 *       </li>
 *   <li>plan and apply: {@link ReconcileSteps#advance}, stage by stage (plan from the kind's pure {@code *Plan},
 *       apply and observe through {@code StageRunner});</li>
 *   <li>status: phase, observedGeneration, the standard conditions and the kind's own fields from the
 *       {@link Outcome}; an Event per transition; then one status write ({@link StatusWriter}: optimistic locking,
 *       the pods' own fields kept, JOSDK's cache updated).</li>
 * </ol>
 * Because the status is written here, {@link #reconcile} hands JOSDK no status to write: only when to look again.
 * Every reconcile's duration is measured: one slower than {@link #SLOW_RECONCILE} is logged at INFO, one that fails at
 * WARN, both with the resource's kind, namespace and name. What is copied from a spec into the status is elided to
 * {@link #MAX_MESSAGE} characters per message.
 *
 * <p>An exception out of a reconcile reaches {@link #updateErrorStatus}, which writes it into the status instead of
 * leaving it to the log alone. What it writes depends on whether trying again can help:
 * <ul>
 *   <li>transient (the default: the API server unreachable or answering 5xx, a conflict, a missing permission, a
 *       bug): condition Progressing=False, reason {@value #RECONCILE_ERROR}, the error's message; the phase, the
 *       stages and the other conditions stay as last reconciled (what the resource's Jobs did is still true), a
 *       Warning Event is recorded once, and JOSDK retries with its backoff. The next successful reconcile sets the
 *       conditions afresh. When JOSDK's retries are spent the message says so: the next change of the resource
 *       or of one of its Jobs reconciles it again.</li>
 *   <li>permanent (the API server rejects as invalid, 400 or 422, what this spec makes the operator send, e.g. a
 *       child whose name is too long): retrying the same spec gives the same answer, so the resource fails like one
 *       with an invalid spec: phase Failed, Failed=True with reason {@value #RECONCILE_ERROR} and the message, no
 *       retry. A spec change (a new generation) reconciles it again.</li>
 * </ul>
 *
 * @param <P>  the custom resource
 * @param <S>  its status type
 * @param <Ph> its phase enum
 */
public final class ReconcileShell<P extends CustomResource<?, S>, S, Ph extends Enum<Ph>> {

    /** Reason of the condition an unexpected reconcile error is reported with. */
    public static final String RECONCILE_ERROR = "ReconcileError";
    /** Reason of the Event (and condition) of a spec change that a running or finished stage does not see. */
    public static final String SPEC_CHANGE_NOT_APPLIED = "SpecChangeNotApplied";
    /** Reason of the Failed condition of a spec that cannot be run as it is. */
    public static final String INVALID_SPEC = "InvalidSpec";
    /** A reconcile slower than this is logged at INFO with the resource's name. */
    static final Duration SLOW_RECONCILE = Duration.ofSeconds(2);
    /**
     * Most characters of one spec error or stage message copied into the status: a spec may hold a megabyte string,
     * and a status (all of it in one etcd object) must stay small enough to be written.
     */
    public static final int MAX_MESSAGE = 512;
    private static final Logger LOG = Logger.getLogger(ReconcileShell.class);

    private final ReconcileSteps<P, S, Ph> steps;
    private final TransitionRecorder transitions;
    private final EventRecorder events;
    private final OperatorMetrics metrics;
    private final OperatorSettings settings;

    public ReconcileShell(ReconcileSteps<P, S, Ph> steps, TransitionRecorder transitions, EventRecorder events,
                          OperatorMetrics metrics, OperatorSettings settings) {
        this.steps = steps;
        this.transitions = transitions;
        this.events = events;
        this.metrics = metrics;
        this.settings = settings;
    }

    /**
     * JOSDK's reconcile: the template, then the one status write. Returns no status to write (it is written) and,
     * for a resource waiting on another, when to look again.
     */
    public UpdateControl<P> reconcile(P resource, Context<P> context) {
        var timer = metrics.startReconcile();
        long started = System.nanoTime();
        try {
            Map<String, Object> asRead = StatusWriter.snapshot(resource.getStatus());
            Outcome<Ph> outcome = decide(resource, specProblems(resource, context));
            StatusWriter.write(resource, asRead, context, steps.podOwnedFields());
            metrics.phase(steps.kind(), resource, steps.phase(resource.getStatus()));
            metrics.reconciled(timer, steps.kind(), "success");
            logIfSlow(resource, outcome, Duration.ofNanos(System.nanoTime() - started));
            return outcome.waiting()
                    ? UpdateControl.<P>noUpdate().rescheduleAfter(settings.waitRecheckInterval())
                    : UpdateControl.noUpdate();
        } catch (RuntimeException e) {
            metrics.reconciled(timer, steps.kind(), "error");
            LOG.warnf("%s %s reconcile failed after %d ms: %s", steps.kind(), id(resource),
                    Duration.ofNanos(System.nanoTime() - started).toMillis(), describe(e));
            throw e;
        }
    }

    /**
     * A reconcile that took longer than {@link #SLOW_RECONCILE} is logged with the resource and its outcome, so that
     * a stalled kind shows in the log before anyone looks at metrics.
     */
    private void logIfSlow(P resource, Outcome<Ph> outcome, Duration took) {
        if (took.compareTo(SLOW_RECONCILE) > 0) {
            LOG.infof("%s %s: slow reconcile, %d ms (phase %s, reason %s)", steps.kind(), id(resource),
                    took.toMillis(), outcome.phase(), outcome.reason());
        } else {
            LOG.debugf("%s %s reconciled in %d ms", steps.kind(), id(resource), took.toMillis());
        }
    }

    /**
     * The values of the stored spec that did not fit its type (see {@link LenientlyRead}). They belong to the object
     * the informer read from the API server; JOSDK hands the reconcile a copy made by serialising that object, which
     * reads without them, so the cached original of the same resourceVersion is asked too.
     */
    List<String> specProblems(P resource, Context<P> context) {
        List<String> own = problemsOf(resource);
        if (!own.isEmpty() || context == null) {
            return own;
        }
        return context.getPrimaryCache().get(ResourceID.fromResource(resource))
                .filter(cached -> Objects.equals(cached.getMetadata().getGeneration(),
                        resource.getMetadata().getGeneration()))
                .map(ReconcileShell::problemsOf)
                .orElse(List.of());
    }

    private static List<String> problemsOf(CustomResource<?, ?> resource) {
        if (resource.getSpec() == null) {
            return List.of("spec: is required");
        }
        return resource instanceof LenientlyRead lenient ? lenient.specProblems() : List.of();
    }

    /**
     * Observe, validate, plan and apply, and set the new status on {@code resource} (in memory: the caller writes
     * it), recording an Event per transition. Reads what it needs from the API server, so it also serves to check
     * what a stale copy of the resource leads to.
     */
    public Outcome<Ph> decide(P resource) {
        return decide(resource, problemsOf(resource));
    }

    /**
     * As {@link #decide(CustomResource)}, with the values of the stored spec that did not fit its type: any makes the
     * spec invalid, reported before the kind's own validation (which assumes a well-typed spec).
     */
    Outcome<Ph> decide(P resource, List<String> specProblems) {
        S status = statusOf(resource);
        Ph phaseBefore = steps.phase(status);
        var stagesBefore = TransitionRecorder.snapshot(steps.stages(status));
        Long observedBefore = steps.observedGeneration(status);
        long generation = generation(resource);
        Instant now = Instant.now();

        List<String> errors = specProblems.isEmpty() ? steps.validate(resource) : specProblems;
        Outcome<Ph> outcome = errors.isEmpty()
                ? steps.advance(resource, status, generation, now)
                : Outcome.of(steps.failedPhase(), State.FAILED, INVALID_SPEC, joinElided(errors));

        report(status, outcome, generation, now);
        transitions.record(resource, name(phaseBefore), stagesBefore, steps.phase(status).name(),
                steps.stages(status), outcome.reason(), outcome.message());
        for (Transitions.Event notice : steps.notices(status, observedBefore, generation)) {
            events.record(resource, notice.type(), notice.reason(), notice.message());
        }
        reportSpecChangesNotApplied(resource, status, stagesBefore, observedBefore, generation, now);
        return outcome;
    }

    /**
     * A running stage keeps the spec it started with (its ConfigMap is immutable). When the spec changed since, the
     * resource says so instead of letting observedGeneration move on silently: condition
     * {@value ConditionTypes#SPEC_CHANGE_PENDING} naming the stage and the changed fields while such a stage runs, and
     * a Warning Event {@value #SPEC_CHANGE_NOT_APPLIED} once per spec change. The fields are found from the hashes
     * recorded in the stage's entry when its Job was created ({@link SpecFields}).
     */
    private void reportSpecChangesNotApplied(P resource, S status, List<StageState> stagesBefore, Long observedBefore,
                                             long generation, Instant now) {
        Map<String, String> current = SpecFields.of(resource.getSpec());
        List<String> notApplied = new ArrayList<>();
        for (StageState stage : steps.stages(status)) {
            StageState before = stagesBefore.stream().filter(b -> b.name.equals(stage.name)).findFirst().orElse(null);
            if (stage.jobName != null && (before == null || !Objects.equals(before.jobName, stage.jobName))) {
                stage.specFields = current; // the Job was created in this reconcile, from this spec
            }
            boolean running = stage.phase == StageState.Phase.Pending || stage.phase == StageState.Phase.Running
                    || stage.phase == StageState.Phase.Suspended;
            if (running && stage.jobName != null && stage.generation != null && stage.generation < generation) {
                List<String> changed = stage.specFields == null ? List.of("the spec (fields not recorded)")
                        : SpecFields.changed(stage.specFields, current);
                if (!changed.isEmpty()) {
                    notApplied.add("stage " + stage.name + " (job " + stage.jobName + ") runs the spec of "
                            + "generation " + stage.generation + "; changed since: " + String.join(", ", changed));
                }
            }
        }
        List<Condition> conditions = steps.conditions(status);
        if (notApplied.isEmpty()) {
            conditions.removeIf(c -> ConditionTypes.SPEC_CHANGE_PENDING.equals(c.getType()));
            return;
        }
        String message = String.join("; ", notApplied) + ". A running stage keeps the spec it started with; the "
                + "change applies only to stages that start later";
        Conditions.set(conditions, ConditionTypes.SPEC_CHANGE_PENDING, true, SPEC_CHANGE_NOT_APPLIED, message,
                generation, now);
        if (observedBefore != null && observedBefore < generation) {
            events.record(resource, "Warning", SPEC_CHANGE_NOT_APPLIED, message);
        }
    }

    /**
     * JOSDK's error handler, called after every failed attempt (see the class comment for what is written). The
     * status is written here, with the same writer as a reconcile; JOSDK is told to write none and to retry unless
     * the error is permanent.
     *
     * @param failed the copy the failed reconcile worked on; its status may be half-updated, so the status is
     *               rebuilt from the operator's cache, as the reconcile read it
     */
    public ErrorStatusUpdateControl<P> updateErrorStatus(P failed, Context<P> context, Exception error) {
        boolean permanent = isPermanent(error);
        ErrorStatusUpdateControl<P> control = permanent
                ? ErrorStatusUpdateControl.<P>noStatusUpdate().withNoRetry()
                : ErrorStatusUpdateControl.noStatusUpdate();
        String id = id(failed);
        if (permanent) {
            // Not rethrown, so JOSDK does not log it.
            LOG.warnf(error, "%s %s failed for good: %s", steps.kind(), id, describe(error));
        }
        P resource = context.getPrimaryCache().get(ResourceID.fromResource(failed))
                .map(cached -> context.getControllerConfiguration().getConfigurationService().getResourceCloner()
                        .clone(cached))
                .orElse(null);
        if (resource == null) {
            return control; // deleted meanwhile: nothing to report on
        }
        Map<String, Object> asRead = StatusWriter.snapshot(resource.getStatus());
        S status = statusOf(resource);
        long generation = generation(resource);
        Instant now = Instant.now();
        if (permanent) {
            Ph phaseBefore = steps.phase(status);
            var stages = TransitionRecorder.snapshot(steps.stages(status));
            Outcome<Ph> outcome = Outcome.of(steps.failedPhase(), State.FAILED, RECONCILE_ERROR, describe(error));
            report(status, outcome, generation, now);
            transitions.record(resource, name(phaseBefore), stages, steps.phase(status).name(), steps.stages(status),
                    outcome.reason(), outcome.message());
        } else {
            boolean lastAttempt = context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(false);
            String message = describe(error) + (lastAttempt
                    ? "; retries spent: reconciled again when the resource or one of its Jobs changes"
                    : "; retrying");
            boolean reportedBefore = Conditions.find(steps.conditions(status), ConditionTypes.PROGRESSING)
                    .map(c -> RECONCILE_ERROR.equals(c.getReason())).orElse(false);
            Conditions.set(steps.conditions(status), ConditionTypes.PROGRESSING, false, RECONCILE_ERROR, message,
                    generation, now);
            if (!reportedBefore) {
                events.record(resource, "Warning", RECONCILE_ERROR, message);
            }
        }
        try {
            StatusWriter.write(resource, asRead, context, steps.podOwnedFields());
            if (permanent) {
                metrics.phase(steps.kind(), resource, steps.phase(status));
            }
        } catch (RuntimeException writeFailed) {
            // Likely the same trouble as the reconcile's; the error stays in the log and JOSDK's retry goes on.
            LOG.warnf("could not write the reconcile error of %s %s into its status: %s", steps.kind(), id,
                    writeFailed.getMessage());
        }
        return control;
    }

    /** Status: phase, observedGeneration, the kind's own fields, then the standard conditions, all from one outcome. */
    private void report(S status, Outcome<Ph> outcome, long generation, Instant now) {
        for (StageState stage : steps.stages(status)) {
            stage.message = LenientJson.elide(stage.message, MAX_MESSAGE);
        }
        steps.setPhase(status, outcome.phase());
        steps.setObservedGeneration(status, generation);
        steps.completeStatus(status, outcome, now);
        Conditions.report(steps.conditions(status), outcome.state(), outcome.reason(), outcome.message(), generation,
                now, steps.suspendable());
    }

    /**
     * Whether trying again cannot help: the API server refused as invalid (400, 422) something the operator sent,
     * which it derives from the spec (a changed spec is reconciled anyway).
     */
    static boolean isPermanent(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k) {
                return k.getCode() == HttpURLConnection.HTTP_BAD_REQUEST || k.getCode() == 422;
            }
        }
        return false;
    }

    /** The error in one line: the API server's own message where it gave one, not the client's request dump. */
    static String describe(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k && k.getStatus() != null
                    && k.getStatus().getMessage() != null) {
                return "API server answered " + k.getCode() + ": " + k.getStatus().getMessage();
            }
        }
        return error.getClass().getSimpleName() + (error.getMessage() != null ? ": " + error.getMessage() : "");
    }

    /** The errors as one message, each elided to {@link #MAX_MESSAGE} so one huge value cannot hide the others. */
    static String joinElided(List<String> errors) {
        return errors.stream().map(e -> LenientJson.elide(e, MAX_MESSAGE)).collect(Collectors.joining("; "));
    }

    private static String id(HasMetadata resource) {
        return resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    }

    private S statusOf(P resource) {
        if (resource.getStatus() == null) {
            resource.setStatus(steps.emptyStatus());
        }
        return resource.getStatus();
    }

    private static long generation(CustomResource<?, ?> resource) {
        Long g = resource.getMetadata().getGeneration();
        return g != null ? g : 1L;
    }

    private static String name(Enum<?> phase) {
        return phase != null ? phase.name() : null;
    }
}
