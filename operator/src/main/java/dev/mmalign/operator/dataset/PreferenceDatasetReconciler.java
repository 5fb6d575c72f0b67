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
import dev.mmalign.operator.jobs.ChildCaches;
import dev.mmalign.operator.jobs.StageRunner;
import dev.mmalign.operator.k8s.ChildNames;
import dev.mmalign.operator.k8s.EventRecorder;
import dev.mmalign.operator.metrics.OperatorMetrics;
import dev.mmalign.operator.reconcile.Outcome;
import dev.mmalign.operator.reconcile.ReconcileShell;
import dev.mmalign.operator.reconcile.ReconcileSteps;
import dev.mmalign.operator.run.DependencyCycles;
import dev.mmalign.operator.run.ModelResolver;
import dev.mmalign.operator.run.RunChanges;
import dev.mmalign.operator.status.Conditions;
import dev.mmalign.operator.status.Conditions.State;
import dev.mmalign.operator.status.StageStates;
import dev.mmalign.operator.status.TransitionRecorder;
import dev.mmalign.operator.status.Transitions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * PreferenceDataset: sample → annotate → build, one (Indexed) Job each, each starting when the one before
 * succeeded. Its steps in the template of {@link ReconcileShell}: validate ({@link DatasetValidator}), then plan and
 * apply each stage in order ({@link DatasetPlan}; the sampling model is resolved before a stage that uses it starts).
 *
 * <p>Rerun rule: a stage runs the spec it started with (its ConfigMap is immutable; StageState.generation records the
 * generation). A succeeded stage is never rerun by a spec change (an Event SpecChangeNotApplied says so); a failed
 * stage is rerun, under a new Job name, once the spec changes (e.g. after fixing the prompts path).
 */
@ControllerConfiguration(name = "preferencedataset")
public class PreferenceDatasetReconciler implements Reconciler<PreferenceDataset>,
        ReconcileSteps<PreferenceDataset, PreferenceDatasetStatus, DatasetPhase> {

    static final String KIND = "PreferenceDataset";

    private final KubernetesClient client;
    private final StageRunner runner;
    /** Wakes a dataset sampling from a run's output when that run was reconciled. */
    private final RunChanges runChanges;
    /** This kind's children, cached by informers registered in prepareEventSources (before any reconcile). */
    private volatile ChildCaches children;
    private final OperatorMetrics metrics;
    private final ReconcileShell<PreferenceDataset, PreferenceDatasetStatus, DatasetPhase> shell;

    public PreferenceDatasetReconciler(KubernetesClient client, StageRunner runner, TransitionRecorder transitions,
                                       EventRecorder events, OperatorMetrics metrics, OperatorSettings settings,
                                       RunChanges runChanges) {
        this.client = client;
        this.runChanges = runChanges;
        this.runner = runner;
        this.metrics = metrics;
        this.shell = new ReconcileShell<>(this, transitions, events, metrics, settings);
    }

    @Override
    public List<EventSource<?, PreferenceDataset>> prepareEventSources(EventSourceContext<PreferenceDataset> context) {
        var cache = context.getPrimaryCache();
        metrics.phaseGauges(KIND, DatasetPhase.values(), id -> cache.get(id).isPresent());
        children = ChildCaches.create(PreferenceDataset.class, KIND, context);
        // A dataset sampling from a run's output waits for that run.
        EventSource<?, PreferenceDataset> runs = runChanges.eventSource("sampling-model-runs",
                run -> cache.list(run.getMetadata().getNamespace())
                        .filter(d -> d.getSpec() != null && d.getSpec().sampling != null
                                && d.getSpec().sampling.model != null
                                && run.getMetadata().getName().equals(d.getSpec().sampling.model.alignmentRun))
                        .map(ResourceID::fromResource).collect(Collectors.toSet()));
        List<EventSource<?, PreferenceDataset>> sources = new java.util.ArrayList<>(children.eventSources());
        sources.add(runs);
        return sources;
    }

    @Override
    public UpdateControl<PreferenceDataset> reconcile(PreferenceDataset ds, Context<PreferenceDataset> context) {
        return shell.reconcile(ds, context);
    }

    @Override
    public ErrorStatusUpdateControl<PreferenceDataset> updateErrorStatus(PreferenceDataset ds,
                                                                        Context<PreferenceDataset> context,
                                                                        Exception e) {
        return shell.updateErrorStatus(ds, context, e);
    }

    /** The reconcile without its status write (see {@link ReconcileShell#decide}); the new status is on {@code ds}. */
    public Outcome<DatasetPhase> decide(PreferenceDataset ds) {
        return shell.decide(ds);
    }

    // --- ReconcileSteps -------------------------------------------------------------------------------------------

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public PreferenceDatasetStatus emptyStatus() {
        return new PreferenceDatasetStatus();
    }

    @Override
    public List<String> podOwnedFields() {
        return List.of("progress");
    }

    @Override
    public boolean suspendable() {
        return false;
    }

    @Override
    public DatasetPhase failedPhase() {
        return DatasetPhase.Failed;
    }

    @Override
    public DatasetPhase phase(PreferenceDatasetStatus status) {
        return status.phase;
    }

    @Override
    public void setPhase(PreferenceDatasetStatus status, DatasetPhase phase) {
        status.phase = phase;
    }

    @Override
    public Long observedGeneration(PreferenceDatasetStatus status) {
        return status.observedGeneration;
    }

    @Override
    public void setObservedGeneration(PreferenceDatasetStatus status, long generation) {
        status.observedGeneration = generation;
    }

    @Override
    public List<Condition> conditions(PreferenceDatasetStatus status) {
        return status.conditions;
    }

    @Override
    public List<StageState> stages(PreferenceDatasetStatus status) {
        return status.stages;
    }

    @Override
    public List<String> validate(PreferenceDataset ds) {
        return DatasetValidator.validate(ds.getSpec());
    }

    @Override
    public Outcome<DatasetPhase> advance(PreferenceDataset ds, PreferenceDatasetStatus st, long gen, Instant now) {
        if (st.artifacts == null) {
            st.artifacts = DatasetPlan.plannedArtifacts(ds);
        }
        var a = ds.getSpec().annotation;
        runner.ensureProgressIdentity(children, ds, a.credentials != null ? a.credentials.gcpServiceAccount : null);
        return runPipeline(ds, st, gen);
    }

    @Override
    public List<Transitions.Event> notices(PreferenceDatasetStatus st, Long observedBefore, long gen) {
        if (observedBefore != null && observedBefore < gen && st.stages.stream().anyMatch(s ->
                s.phase == StageState.Phase.Succeeded && s.generation != null && s.generation < gen)) {
            return List.of(new Transitions.Event("Warning", "SpecChangeNotApplied", "stages that already succeeded "
                    + "keep the spec of their generation; delete and re-create the dataset to rebuild it"));
        }
        return List.of();
    }

    private Outcome<DatasetPhase> runPipeline(PreferenceDataset ds, PreferenceDatasetStatus st, long gen) {
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
                if (m.alignmentRun != null) {
                    String ns = ds.getMetadata().getNamespace();
                    var cycle = new DependencyCycles(
                            n -> client.resources(PreferenceDataset.class).inNamespace(ns).withName(n).get(),
                            n -> getRun(ns, n)).through(ds);
                    if (cycle.isPresent()) {
                        s.message = "dependency cycle: " + cycle.get() + "; change one of them to break it";
                        return Outcome.of(DatasetPhase.Failed, State.FAILED, DependencyCycles.REASON, s.message);
                    }
                }
                var resolution = new ModelResolver(n -> getRun(ds.getMetadata().getNamespace(), n))
                        .resolve("policy", m.path, m.alignmentRun, m.merged);
                if (resolution instanceof ModelResolver.Waiting w) {
                    s.message = w.message();
                    return Outcome.waiting(phaseOf(stage), w.blocked() ? State.BLOCKED : State.WAITING, w.reason(),
                            w.message());
                }
                if (resolution instanceof ModelResolver.Invalid i) {
                    return Outcome.of(DatasetPhase.Failed, State.FAILED, "InvalidSpec", i.message());
                }
                model = ((ModelResolver.Resolved) resolution).model();
            }
            var a = spec.annotation;
            boolean workloadIdentity = stage == StageName.annotate && a.credentials != null
                    && a.credentials.gcpServiceAccount != null;
            String jobName = ChildNames.job(ds.getMetadata().getName(), stage.name(), s.generation);
            String serviceAccount = workloadIdentity ? ChildNames.judge(ds.getMetadata().getName())
                    : ChildNames.progress(ds.getMetadata().getName());
            var req = StageJobRequest.builder(ds, stage, jobName, spec.storage, serviceAccount)
                    .shards(DatasetPlan.shards(spec, stage)).resources(DatasetPlan.resources(spec, stage))
                    .jobPolicy(spec.jobPolicy).queueName(spec.queueName)
                    .judge(stage == StageName.annotate ? a : null)
                    .samplingEndpoint(stage == StageName.sample ? spec.sampling.endpoint : null).build();
            boolean started = s.jobName != null;
            JobObservation obs = runner.run(children, req, started ? null
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
                    return Outcome.of(phaseOf(stage), State.PROGRESSING, "QueuedByKueue",
                            "stage " + stage + " waits for admission by Kueue queue " + spec.queueName);
                }
                default -> {
                    String msg = "stage " + stage + ": " + obs.succeededShards() + "/" + obs.shards() + " shards done"
                            + (obs.lastFailure() != null ? "; retrying after " + obs.lastFailure() : "");
                    return Outcome.of(phaseOf(stage), State.PROGRESSING, capitalize(stage.name()) + "Running",
                            msg);
                }
            }
        }
        var c = st.counts;
        String summary = c == null ? "built" : "prompts " + c.prompts + ", annotated " + c.annotated
                + ", dpo pairs " + c.dpoPairs;
        return Outcome.of(DatasetPhase.Ready, State.READY, "DatasetReady", summary);
    }

    private static Outcome<DatasetPhase> failed(StageName stage, StageState s, String reason) {
        return Outcome.of(DatasetPhase.Failed, State.FAILED, reason != null ? reason : "JobFailed",
                "stage " + stage + ": " + Objects.requireNonNullElse(s.message, "failed"));
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
