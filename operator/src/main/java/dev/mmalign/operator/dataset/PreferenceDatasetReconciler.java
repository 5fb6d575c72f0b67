package dev.mmalign.operator.dataset;

import dev.mmalign.api.common.Progress;
import dev.mmalign.api.common.StageState;
import dev.mmalign.api.dataset.DatasetPhase;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.dataset.PreferenceDatasetStatus;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.stage.GpuUse;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.operator.OperatorSettings;
import dev.mmalign.operator.jobs.JobObservation;
import dev.mmalign.operator.jobs.StageJobRequest;
import dev.mmalign.operator.jobs.OwnedJobs;
import dev.mmalign.operator.jobs.StageRunner;
import dev.mmalign.operator.k8s.ChildNames;
import dev.mmalign.operator.k8s.EventRecorder;
import dev.mmalign.operator.metrics.OperatorMetrics;
import dev.mmalign.operator.run.ModelResolver;
import dev.mmalign.operator.status.Conditions;
import dev.mmalign.operator.status.Conditions.State;
import dev.mmalign.operator.status.StageStates;
import dev.mmalign.operator.status.ReconcileCycle;
import dev.mmalign.operator.status.TransitionRecorder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * PreferenceDataset: sample → annotate → build, one (Indexed) Job each, each starting when the one before
 * succeeded. Observe (Jobs, pods, the sampling model) → validate → reconcile (create the next Job) → report status.
 *
 * <p>Rerun rule: a stage runs the spec it started with (its ConfigMap is immutable; StageState.generation records the
 * generation). A succeeded stage is never rerun by a spec change (an Event SpecChangeNotApplied says so); a failed
 * stage is rerun, under a new Job name, once the spec changes (e.g. after fixing the prompts path).
 */
@ControllerConfiguration(name = "preferencedataset")
public class PreferenceDatasetReconciler implements Reconciler<PreferenceDataset> {

    static final String KIND = "PreferenceDataset";

    private final KubernetesClient client;
    private final StageRunner runner;
    private final TransitionRecorder transitions;
    private final EventRecorder events;
    private final OperatorMetrics metrics;
    private final OperatorSettings settings;
    private final ReconcileCycle<PreferenceDatasetStatus, PreferenceDataset> cycle;

    public PreferenceDatasetReconciler(KubernetesClient client, StageRunner runner, TransitionRecorder transitions,
                                       EventRecorder events, OperatorMetrics metrics, OperatorSettings settings) {
        this.client = client;
        this.runner = runner;
        this.transitions = transitions;
        this.events = events;
        this.metrics = metrics;
        this.settings = settings;
        // Status fields the stage pods write (see StatusWriter).
        this.cycle = new ReconcileCycle<>(KIND, PreferenceDatasetStatus.class, List.of("progress"),
                status -> status.phase, metrics);
    }

    @Override
    public List<EventSource<?, PreferenceDataset>> prepareEventSources(EventSourceContext<PreferenceDataset> context) {
        var cache = context.getPrimaryCache();
        metrics.phaseGauges(KIND, DatasetPhase.values(), id -> cache.get(id).isPresent());
        var jobs = OwnedJobs.informer(PreferenceDataset.class, KIND);
        // A dataset sampling from a run's output waits for that run.
        var runs = InformerEventSourceConfiguration.from(AlignmentRun.class, PreferenceDataset.class)
                .withName("sampling-model-runs")
                .withSecondaryToPrimaryMapper(run -> cache.list(run.getMetadata().getNamespace())
                        .filter(d -> d.getSpec() != null && d.getSpec().sampling != null
                                && d.getSpec().sampling.model != null
                                && run.getMetadata().getName().equals(d.getSpec().sampling.model.alignmentRun))
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .build();
        return List.of(new InformerEventSource<>(jobs, context), new InformerEventSource<>(runs, context));
    }

    @Override
    public UpdateControl<PreferenceDataset> reconcile(PreferenceDataset ds, Context<PreferenceDataset> context) {
        return cycle.run(ds, context, this::reconcile);
    }

    /**
     * The reconcile itself: reads what it needs from the API server (no JOSDK context), creates what is missing,
     * and returns the resource with its new status (written by the caller).
     */
    public UpdateControl<PreferenceDataset> reconcile(PreferenceDataset ds) {
        if (ds.getStatus() == null) {
            ds.setStatus(new PreferenceDatasetStatus());
        }
        PreferenceDatasetStatus st = ds.getStatus();
        long gen = ds.getMetadata().getGeneration() != null ? ds.getMetadata().getGeneration() : 1L;
        String oldPhase = st.phase != null ? st.phase.name() : null;
        var oldStages = TransitionRecorder.snapshot(st.stages);
        Long oldObserved = st.observedGeneration;
        Instant now = Instant.now();

        Outcome outcome;
        List<String> errors = DatasetValidator.validate(ds.getSpec());
        if (!errors.isEmpty()) {
            outcome = new Outcome(DatasetPhase.Failed, State.FAILED, "InvalidSpec", String.join("; ", errors), false);
        } else {
            if (st.artifacts == null) {
                st.artifacts = DatasetPlan.plannedArtifacts(ds);
            }
            var a = ds.getSpec().annotation;
            runner.ensureProgressIdentity(ds, a.credentials != null ? a.credentials.gcpServiceAccount : null);
            outcome = runPipeline(ds, st, gen);
        }

        st.phase = outcome.phase();
        st.observedGeneration = gen;
        Conditions.report(st.conditions, outcome.state(), outcome.reason(), outcome.message(), gen, now, false);
        transitions.record(ds, oldPhase, oldStages, st.phase.name(), st.stages, outcome.reason(), outcome.message());
        if (oldObserved != null && oldObserved < gen && st.stages.stream().anyMatch(s ->
                s.phase == StageState.Phase.Succeeded && s.generation != null && s.generation < gen)) {
            events.record(ds, "Warning", "SpecChangeNotApplied", "stages that already succeeded keep the spec of "
                    + "their generation; delete and re-create the dataset to rebuild it");
        }
        UpdateControl<PreferenceDataset> control = UpdateControl.patchStatus(ds);
        return outcome.waiting() ? control.rescheduleAfter(settings.waitRecheckInterval()) : control;
    }

    record Outcome(DatasetPhase phase, State state, String reason, String message, boolean waiting) {}

    private Outcome runPipeline(PreferenceDataset ds, PreferenceDatasetStatus st, long gen) {
        var spec = ds.getSpec();
        for (StageName stage : DatasetPlan.STAGES) {
            StageState s = StageStates.getOrAdd(st.stages, stage.name(), gen);
            if (StageStates.needsRestart(s, gen)) {
                StageStates.restart(s, gen);
            }
            if (s.phase == StageState.Phase.Succeeded) {
                continue;
            }
            if (s.phase == StageState.Phase.Failed) {
                return failed(stage, s, currentFailureReason(st.conditions));
            }
            ResolvedModel model = null;
            // The model is looked up before a stage starts; a started stage keeps the spec it was given.
            if (stage != StageName.annotate && s.jobName == null) {
                var m = spec.sampling.model;
                var resolution = new ModelResolver(n -> getRun(ds.getMetadata().getNamespace(), n))
                        .resolve("policy", m.path, m.alignmentRun, m.merged);
                if (resolution instanceof ModelResolver.Waiting w) {
                    s.message = w.message();
                    return new Outcome(phaseOf(stage), w.blocked() ? State.BLOCKED : State.WAITING, w.reason(),
                            w.message(), true);
                }
                if (resolution instanceof ModelResolver.Invalid i) {
                    return new Outcome(DatasetPhase.Failed, State.FAILED, "InvalidSpec", i.message(), false);
                }
                model = ((ModelResolver.Resolved) resolution).model();
            }
            var a = spec.annotation;
            boolean workloadIdentity = stage == StageName.annotate && a.credentials != null
                    && a.credentials.gcpServiceAccount != null;
            String jobName = ChildNames.job(ds.getMetadata().getName(), stage.name(), s.generation);
            var req = new StageJobRequest(ds, stage, stage.name(), jobName, DatasetPlan.shards(spec, stage),
                    DatasetPlan.resources(spec, stage), spec.jobPolicy, spec.queueName, false, spec.storage,
                    stage == StageName.annotate ? a : null,
                    workloadIdentity ? ChildNames.judge(ds.getMetadata().getName())
                            : ChildNames.progress(ds.getMetadata().getName()));
            boolean started = s.jobName != null;
            JobObservation obs = runner.run(req, started ? null
                    : DatasetPlan.stageSpec(ds, stage, s.generation, model, runner.progressReporting()));
            StageStates.apply(s, jobName, obs);
            if (obs.phase() == StageState.Phase.Succeeded || obs.phase() == StageState.Phase.Failed) {
                // Reached only once per Job: finished stages are skipped above on later reconciles.
                var res = DatasetPlan.resources(spec, stage);
                metrics.gpuSeconds(KIND, GpuUse.working(stage, res != null ? res.gpus : null) * obs.podSeconds());
            }
            switch (obs.phase()) {
                case Succeeded -> {
                    DatasetResults.apply(st, obs.results());
                    st.progress = done(stage);
                }
                case Failed -> {
                    return failed(stage, s, obs.failureReason());
                }
                case Suspended -> {
                    return new Outcome(phaseOf(stage), State.PROGRESSING, "QueuedByKueue",
                            "stage " + stage + " waits for admission by Kueue queue " + spec.queueName, false);
                }
                default -> {
                    String msg = "stage " + stage + ": " + obs.succeededShards() + "/" + obs.shards() + " shards done"
                            + (obs.lastFailure() != null ? "; retrying after " + obs.lastFailure() : "");
                    return new Outcome(phaseOf(stage), State.PROGRESSING, capitalize(stage.name()) + "Running",
                            msg, false);
                }
            }
        }
        var c = st.counts;
        String summary = c == null ? "built" : "prompts " + c.prompts + ", annotated " + c.annotated
                + ", dpo pairs " + c.dpoPairs;
        return new Outcome(DatasetPhase.Ready, State.READY, "DatasetReady", summary, false);
    }

    private static Outcome failed(StageName stage, StageState s, String reason) {
        return new Outcome(DatasetPhase.Failed, State.FAILED, reason != null ? reason : "JobFailed",
                "stage " + stage + ": " + Objects.requireNonNullElse(s.message, "failed"), false);
    }

    /** The reason a failure was first reported with (JobFailed, BudgetExhausted, ...), kept on later reconciles. */
    static String currentFailureReason(List<io.fabric8.kubernetes.api.model.Condition> conditions) {
        return Conditions.find(conditions, dev.mmalign.api.common.ConditionTypes.FAILED)
                .filter(c -> "True".equals(c.getStatus())).map(c -> c.getReason()).orElse("JobFailed");
    }

    private static DatasetPhase phaseOf(StageName stage) {
        return switch (stage) {
            case sample -> DatasetPhase.Sampling;
            case annotate -> DatasetPhase.Annotating;
            default -> DatasetPhase.Building;
        };
    }

    /** The operator marks a finished stage done; the next stage's pods overwrite progress with their own. */
    static Progress done(StageName stage) {
        Progress p = new Progress();
        p.stage = stage.name();
        p.percent = 100.0;
        p.message = "done";
        return p;
    }

    private AlignmentRun getRun(String namespace, String name) {
        return client.resources(AlignmentRun.class).inNamespace(namespace).withName(name).get();
    }

    static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
