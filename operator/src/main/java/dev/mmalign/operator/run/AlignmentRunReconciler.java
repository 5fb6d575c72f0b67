package dev.mmalign.operator.run;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.bench.SuitePhase;
import dev.mmalign.api.common.ConditionTypes;
import dev.mmalign.api.common.Progress;
import dev.mmalign.api.common.StageState;
import dev.mmalign.api.dataset.DatasetPhase;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.AlignmentRunStatus;
import dev.mmalign.api.run.DatasetRef;
import dev.mmalign.api.run.RunPhase;
import dev.mmalign.api.stage.GpuUse;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.operator.OperatorSettings;
import dev.mmalign.operator.jobs.JobObservation;
import dev.mmalign.operator.jobs.StageJobRequest;
import dev.mmalign.operator.jobs.ChildCaches;
import dev.mmalign.operator.jobs.StageRunner;
import dev.mmalign.operator.k8s.ChildNames;
import dev.mmalign.operator.k8s.EventRecorder;
import dev.mmalign.operator.k8s.Json;
import dev.mmalign.operator.k8s.Labels;
import dev.mmalign.operator.k8s.Times;
import dev.mmalign.operator.metrics.OperatorMetrics;
import dev.mmalign.operator.reconcile.Outcome;
import dev.mmalign.operator.reconcile.ReconcileShell;
import dev.mmalign.operator.reconcile.ReconcileSteps;
import dev.mmalign.operator.status.Conditions;
import dev.mmalign.operator.status.Conditions.State;
import dev.mmalign.operator.status.StageStates;
import dev.mmalign.operator.status.TransitionRecorder;
import dev.mmalign.operator.status.Transitions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * AlignmentRun: waits for its dataset (WaitingForDataset) and base model, runs one train Job, then, with
 * spec.evaluation, creates and owns a BenchmarkSuite and mirrors its headline scores.
 *
 * <p>Rerun rule: as for datasets, a train stage that succeeded is never rerun by a spec change; a failed one is rerun
 * (new Job name, same checkpoint folder, so it resumes from the latest checkpoint) when the spec changes.
 * spec.suspend is the one field applied to a running stage: it suspends and resumes the Job.
 */
@ControllerConfiguration(name = "alignmentrun")
public class AlignmentRunReconciler implements Reconciler<AlignmentRun>,
        ReconcileSteps<AlignmentRun, AlignmentRunStatus, RunPhase> {

    static final String KIND = "AlignmentRun";
    /** Reason of a run whose dataset failed: it waits, blocked, until the dataset is fixed. */
    public static final String DATASET_FAILED = "DatasetFailed";

    private final KubernetesClient client;
    private final StageRunner runner;
    /** Told after each reconcile, for the datasets and suites waiting on a run. */
    private final RunChanges runChanges;
    /** This kind's children, cached by informers registered in prepareEventSources (before any reconcile). */
    private volatile ChildCaches children;
    /** The datasets runs train on, read from this informer (its events wake the runs waiting on them). */
    private volatile InformerEventSource<PreferenceDataset, AlignmentRun> datasetCache;
    /** The runs themselves (JOSDK's cache of this controller): the base-model and dependency-cycle lookups. */
    private volatile IndexedResourceCache<AlignmentRun> runCache;
    private final OperatorMetrics metrics;
    private final ReconcileShell<AlignmentRun, AlignmentRunStatus, RunPhase> shell;

    public AlignmentRunReconciler(KubernetesClient client, StageRunner runner, TransitionRecorder transitions,
                                  EventRecorder events, OperatorMetrics metrics, OperatorSettings settings,
                                  RunChanges runChanges) {
        this.client = client;
        this.runChanges = runChanges;
        this.runner = runner;
        this.metrics = metrics;
        this.shell = new ReconcileShell<>(this, transitions, events, metrics, settings);
    }

    @Override
    public List<EventSource<?, AlignmentRun>> prepareEventSources(EventSourceContext<AlignmentRun> context) {
        var cache = context.getPrimaryCache();
        runCache = cache;
        metrics.phaseGauges(KIND, RunPhase.values(), id -> cache.get(id).isPresent());
        children = ChildCaches.create(AlignmentRun.class, KIND, context);
        var suites = InformerEventSourceConfiguration.from(BenchmarkSuite.class, AlignmentRun.class)
                .withName("evaluation-suites")
                .withLabelSelector(Labels.selectorForKind(KIND))
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(AlignmentRun.class))
                .build();
        var datasets = InformerEventSourceConfiguration.from(PreferenceDataset.class, AlignmentRun.class)
                .withName("datasets")
                .withSecondaryToPrimaryMapper(ds -> cache.list(ds.getMetadata().getNamespace())
                        .filter(r -> r.getSpec() != null && r.getSpec().dataset != null
                                && ds.getMetadata().getName().equals(r.getSpec().dataset.name))
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .build();
        datasetCache = new InformerEventSource<>(datasets, context);
        List<EventSource<?, AlignmentRun>> sources = new java.util.ArrayList<>(children.eventSources());
        sources.addAll(List.of(new InformerEventSource<>(suites, context), datasetCache));
        return sources;
    }

    @Override
    public UpdateControl<AlignmentRun> reconcile(AlignmentRun run, Context<AlignmentRun> context) {
        UpdateControl<AlignmentRun> control = shell.reconcile(run, context);
        runChanges.reconciled(run);
        return control;
    }

    @Override
    public ErrorStatusUpdateControl<AlignmentRun> updateErrorStatus(AlignmentRun run, Context<AlignmentRun> context,
                                                                   Exception e) {
        ErrorStatusUpdateControl<AlignmentRun> control = shell.updateErrorStatus(run, context, e);
        runChanges.reconciled(run);
        return control;
    }

    /** The reconcile without its status write (see {@link ReconcileShell#decide}); the new status is on {@code run}. */
    public Outcome<RunPhase> decide(AlignmentRun run) {
        return shell.decide(run);
    }

    // --- ReconcileSteps -------------------------------------------------------------------------------------------

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public AlignmentRunStatus emptyStatus() {
        return new AlignmentRunStatus();
    }

    @Override
    public List<String> podOwnedFields() {
        return List.of("progress", "metrics");
    }

    @Override
    public boolean suspendable() {
        return true;
    }

    @Override
    public RunPhase failedPhase() {
        return RunPhase.Failed;
    }

    @Override
    public RunPhase phase(AlignmentRunStatus status) {
        return status.phase;
    }

    @Override
    public void setPhase(AlignmentRunStatus status, RunPhase phase) {
        status.phase = phase;
    }

    @Override
    public Long observedGeneration(AlignmentRunStatus status) {
        return status.observedGeneration;
    }

    @Override
    public void setObservedGeneration(AlignmentRunStatus status, long generation) {
        status.observedGeneration = generation;
    }

    @Override
    public List<Condition> conditions(AlignmentRunStatus status) {
        return status.conditions;
    }

    @Override
    public List<StageState> stages(AlignmentRunStatus status) {
        return status.stages;
    }

    @Override
    public List<String> validate(AlignmentRun run) {
        return RunValidator.validate(run.getSpec());
    }

    @Override
    public Outcome<RunPhase> advance(AlignmentRun run, AlignmentRunStatus st, long gen, Instant now) {
        Outcome<RunPhase> held = memoryCheck(run, st, gen, now);
        if (held != null) {
            return held;
        }
        runner.ensureProgressIdentity(children, run, null);
        Outcome<RunPhase> outcome = train(run, st, gen, now);
        return outcome != null ? outcome : evaluate(run, st, gen);
    }

    /**
     * Before the train Job exists: holds back a run whose planned peak GPU memory per device exceeds the GPU (null: it
     * fits, or cannot be checked). Blocked rather than failed: a spec change (smaller batch, checkpointing) reruns it.
     * The MemoryChecked condition records the result, a skipped check included, so a run without a model ConfigMap
     * says why it was not checked rather than passing silently.
     */
    private Outcome<RunPhase> memoryCheck(AlignmentRun run, AlignmentRunStatus st, long gen, Instant now) {
        boolean started = StageStates.find(st.stages, RunPlan.TRAIN).map(s -> s.jobName != null).orElse(false);
        if (started) {
            return null;
        }
        String ns = run.getMetadata().getNamespace();
        var result = RunMemoryCheck.check(run.getSpec(),
                n -> client.configMaps().inNamespace(ns).withName(n).get());
        String[] c = RunMemoryCheck.condition(result);
        Conditions.set(st.conditions, ConditionTypes.MEMORY_CHECKED, "True".equals(c[0]), c[1], c[2], gen, now);
        if (result instanceof RunMemoryCheck.TooBig big) {
            return Outcome.of(RunPhase.Pending, State.BLOCKED, "InsufficientGpuMemory", RunMemoryCheck.message(big));
        }
        if (result instanceof RunMemoryCheck.ConfigProblem p) {
            // The ConfigMap is not watched: recheck until it appears or is fixed.
            return Outcome.waiting(RunPhase.Pending, State.BLOCKED, p.reason(), p.message());
        }
        return null;
    }

    /** A run that ended (Succeeded or Failed) has a completion time; one that goes on (again) has none. */
    @Override
    public void completeStatus(AlignmentRunStatus st, Outcome<RunPhase> outcome, Instant now) {
        if ((st.phase == RunPhase.Succeeded || st.phase == RunPhase.Failed) && st.completionTime == null) {
            st.completionTime = Times.format(now);
        } else if (st.phase != RunPhase.Succeeded && st.phase != RunPhase.Failed) {
            st.completionTime = null;
        }
    }

    @Override
    public List<Transitions.Event> notices(AlignmentRunStatus st, Long observedBefore, long gen) {
        if (observedBefore != null && observedBefore < gen && StageStates.find(st.stages, RunPlan.TRAIN)
                .map(s -> s.phase == StageState.Phase.Succeeded && s.generation != null && s.generation < gen)
                .orElse(false)) {
            return List.of(new Transitions.Event("Warning", "SpecChangeNotApplied", "training already succeeded "
                    + "for generation " + StageStates.find(st.stages, RunPlan.TRAIN).get().generation
                    + "; create a new AlignmentRun to train again"));
        }
        return List.of();
    }

    /** The train stage; null when it has succeeded (go on to evaluation). */
    private Outcome<RunPhase> train(AlignmentRun run, AlignmentRunStatus st, long gen, Instant now) {
        var spec = run.getSpec();
        String name = run.getMetadata().getName();
        StageState s = StageStates.getOrAdd(st.stages, RunPlan.TRAIN, gen);
        if (StageStates.needsRestart(s, gen)) {
            StageStates.restart(s, gen);
        }
        if (s.phase == StageState.Phase.Succeeded) {
            return null;
        }
        if (s.phase == StageState.Phase.Failed) {
            String reason = Conditions.find(st.conditions, ConditionTypes.FAILED)
                    .filter(c -> "True".equals(c.getStatus())).map(c -> c.getReason()).orElse("JobFailed");
            return Outcome.of(RunPhase.Failed, State.FAILED, reason, "stage train: " + s.message);
        }
        String jobName = ChildNames.job(name, RunPlan.TRAIN, s.generation);
        StageSpec stageSpec = null;
        if (s.jobName == null) {
            // Not started yet: the dataset and the base model must be ready first, and must not wait on this run.
            if (spec.dataset.name != null || spec.baseModel.alignmentRun != null) {
                String ns = run.getMetadata().getNamespace();
                // From the informers' caches, not the API server (two GETs per run): a cycle made of objects
                // created a moment ago is found by the reconcile their events trigger.
                var cycle = new DependencyCycles(n -> datasetCache.get(new ResourceID(n, ns)).orElse(null),
                        n -> n.equals(name) ? run : runCache.get(new ResourceID(n, ns)).orElse(null)).through(run);
                if (cycle.isPresent()) {
                    s.message = "dependency cycle: " + cycle.get() + "; change one of them to break it";
                    return Outcome.of(RunPhase.Failed, State.FAILED, DependencyCycles.REASON, s.message);
                }
            }
            String datasetPath;
            String imageRoot = null;
            if (spec.dataset.path != null) {
                datasetPath = spec.dataset.path;
            } else {
                PreferenceDataset ds = datasetCache.get(new ResourceID(spec.dataset.name,
                        run.getMetadata().getNamespace())).orElse(null);
                if (ds == null) {
                    return waitingForDataset(s, "DatasetNotFound", "PreferenceDataset " + spec.dataset.name
                            + " does not exist");
                }
                DatasetPhase phase = ds.getStatus() != null ? ds.getStatus().phase : null;
                if (phase == DatasetPhase.Failed) {
                    // Blocked, not failed: once the dataset is fixed (a spec change reruns its failed stage) and
                    // Ready, the run trains. Its own Failed stays False.
                    String why = Conditions.find(ds.getStatus().conditions, ConditionTypes.FAILED)
                            .map(c -> c.getMessage()).filter(m -> !m.isEmpty()).orElse("no message");
                    s.message = "PreferenceDataset " + spec.dataset.name + " failed (" + why + "); the run starts "
                            + "once it is fixed and Ready";
                    return Outcome.waiting(RunPhase.WaitingForDataset, State.BLOCKED, DATASET_FAILED, s.message);
                }
                if (phase != DatasetPhase.Ready) {
                    return waitingForDataset(s, "DatasetNotReady", "waiting for PreferenceDataset "
                            + spec.dataset.name + " to be Ready (phase " + (phase != null ? phase : "Pending") + ")");
                }
                if (!sameStorage(ds, run)) {
                    return Outcome.of(RunPhase.Failed, State.FAILED, "InvalidSpec", "PreferenceDataset "
                            + spec.dataset.name + " is on another claim or subPath than the run's storage");
                }
                var set = DatasetRef.effectiveSet(spec.dataset, spec.method);
                datasetPath = ds.getStatus().artifacts == null ? null
                        : (String) Json.convert(ds.getStatus().artifacts, java.util.Map.class).get(set.name());
                if (datasetPath == null) {
                    return Outcome.of(RunPhase.Failed, State.FAILED, "TrainingSetMissing", "PreferenceDataset "
                            + spec.dataset.name + " has no " + set + " set (disabled in its trainingSets?)");
                }
                // The sample stage writes every prompt's image relative to prompts.imageRoot (sources included),
                // and the training sets keep those paths.
                imageRoot = ds.getSpec().prompts.imageRoot != null ? ds.getSpec().prompts.imageRoot : "images";
            }
            var base = spec.baseModel;
            var resolution = new ModelResolver(n -> runCache.get(new ResourceID(n, run.getMetadata().getNamespace()))
                    .orElse(null))
                    .resolve("base", base.path, base.alignmentRun, base.merged);
            if (resolution instanceof ModelResolver.Waiting w) {
                s.message = w.message();
                return w.blocked() ? Outcome.waiting(RunPhase.Pending, State.BLOCKED, w.reason(), w.message())
                        : Outcome.waiting(RunPhase.Pending, State.WAITING, "BaseModelNotReady", w.message());
            }
            if (resolution instanceof ModelResolver.Invalid i) {
                return Outcome.of(RunPhase.Failed, State.FAILED, "InvalidSpec", i.message());
            }
            ResolvedModel model = ((ModelResolver.Resolved) resolution).model();
            stageSpec = RunPlan.stageSpec(run, s.generation, model, datasetPath, imageRoot,
                    runner.progressReporting());
        }
        boolean suspend = Boolean.TRUE.equals(spec.suspend);
        var req = StageJobRequest.builder(run, StageName.train, jobName, spec.storage, ChildNames.progress(name))
                .stageLabel(RunPlan.TRAIN).resources(spec.resources).jobPolicy(spec.jobPolicy)
                .queueName(spec.queueName).suspend(suspend).build();
        JobObservation obs = runner.run(children, req, stageSpec);
        StageStates.apply(s, jobName, obs);
        s.message = obs.phase() == StageState.Phase.Suspended
                ? (suspend ? "suspended by spec.suspend" : "queued in " + spec.queueName) : s.message;

        int gpus = GpuUse.working(StageName.train, spec.resources != null ? spec.resources.gpus : null);
        long gpuSeconds = Math.max(st.gpuSeconds != null ? st.gpuSeconds : 0, gpus * obs.podSeconds());
        metrics.gpuSeconds(KIND, gpuSeconds - (st.gpuSeconds != null ? st.gpuSeconds : 0));
        st.gpuSeconds = gpuSeconds;
        st.attempts = obs.failedAttempts() + (obs.phase() == StageState.Phase.Running
                || obs.phase() == StageState.Phase.Succeeded ? 1 : 0);
        if (st.startTime == null) {
            st.startTime = obs.startTime();
        }
        RunResults.applyCheckpoint(st, obs.lastResult());

        return switch (obs.phase()) {
            case Succeeded -> {
                RunResults.applyFinal(st, name, obs.results().isEmpty() ? null : obs.results().get(0));
                st.progress = done(st.progress);
                yield null;
            }
            case Failed -> Outcome.of(RunPhase.Failed, State.FAILED, obs.failureReason(),
                    "stage train: " + obs.lastFailure());
            case Suspended -> suspend
                    ? Outcome.of(RunPhase.Suspended, State.SUSPENDED, "SuspendedBySpec",
                    "training is suspended; it resumes from checkpoint "
                            + (st.latestCheckpoint != null ? st.latestCheckpoint.path : "(latest)")
                            + " when spec.suspend is unset")
                    : Outcome.of(RunPhase.Queued, State.PROGRESSING, "QueuedByKueue",
                    "waiting for admission by Kueue queue " + spec.queueName);
            default -> Outcome.of(RunPhase.Training, State.PROGRESSING, "Training", trainingMessage(st, obs));
        };
    }

    private Outcome<RunPhase> evaluate(AlignmentRun run, AlignmentRunStatus st, long gen) {
        if (run.getSpec().evaluation == null) {
            return Outcome.of(RunPhase.Succeeded, State.READY, "Trained", "adapter at " + st.output.adapterPath);
        }
        BenchmarkSuite suite = runner.createIfAbsent(children, EvaluationSuiteBuilder.build(run));
        st.benchmarkSuite = suite.getMetadata().getName();
        StageState s = StageStates.getOrAdd(st.stages, RunPlan.EVALUATE, gen);
        var ss = suite.getStatus();
        SuitePhase phase = ss != null && ss.phase != null ? ss.phase : SuitePhase.Pending;
        switch (phase) {
            case Succeeded -> {
                s.phase = StageState.Phase.Succeeded;
                s.message = null;
                st.evaluation = ss.results.stream()
                        .filter(r -> EvaluationSuiteBuilder.ALIGNED.equals(r.model)).toList();
                return Outcome.of(RunPhase.Succeeded, State.READY, "Evaluated",
                        "trained and evaluated; scores in status.evaluation, report " + ss.reportPath);
            }
            case Failed -> {
                s.phase = StageState.Phase.Failed;
                s.message = Conditions.find(ss.conditions, ConditionTypes.FAILED).map(c -> c.getMessage())
                        .orElse("failed");
                return Outcome.of(RunPhase.Failed, State.FAILED, "EvaluationFailed",
                        "BenchmarkSuite " + st.benchmarkSuite + ": " + s.message);
            }
            default -> {
                s.phase = StageState.Phase.Running;
                s.message = "BenchmarkSuite " + st.benchmarkSuite + " is " + phase
                        + (ss != null && ss.modelsDone != null ? " (" + ss.modelsDone + " models)" : "");
                return Outcome.of(RunPhase.Evaluating, State.PROGRESSING, "Evaluating", s.message);
            }
        }
    }

    private static Outcome<RunPhase> waitingForDataset(StageState s, String reason, String message) {
        s.message = message;
        return Outcome.waiting(RunPhase.WaitingForDataset, State.WAITING, reason, message);
    }

    private static boolean sameStorage(PreferenceDataset ds, AlignmentRun run) {
        var a = ds.getSpec().storage;
        var b = run.getSpec().storage;
        return a != null && b != null && Objects.equals(a.claimName, b.claimName)
                && Objects.equals(Objects.requireNonNullElse(a.subPath, ""), Objects.requireNonNullElse(b.subPath, ""));
    }

    private static String trainingMessage(AlignmentRunStatus st, JobObservation obs) {
        var p = st.progress;
        String step = p != null && p.current != null ? "step " + p.current + (p.total != null ? "/" + p.total : "")
                : "starting";
        return step + (obs.lastFailure() != null ? "; retrying after " + obs.lastFailure() : "");
    }

    /** Training finished: the pod's last report may predate the end; show the run complete. */
    private static Progress done(Progress last) {
        Progress p = last != null ? Json.convert(last, Progress.class) : new Progress();
        p.stage = StageName.train.name();
        p.percent = 100.0;
        if (p.total != null) {
            p.current = p.total;
        }
        p.etaSeconds = 0L;
        return p;
    }

}
