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
import dev.mmalign.operator.jobs.OwnedJobs;
import dev.mmalign.operator.jobs.StageRunner;
import dev.mmalign.operator.k8s.ChildNames;
import dev.mmalign.operator.k8s.EventRecorder;
import dev.mmalign.operator.k8s.Json;
import dev.mmalign.operator.k8s.Labels;
import dev.mmalign.operator.k8s.Times;
import dev.mmalign.operator.metrics.OperatorMetrics;
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
public class AlignmentRunReconciler implements Reconciler<AlignmentRun> {

    static final String KIND = "AlignmentRun";
    /** Reason of a run whose dataset failed: it waits, blocked, until the dataset is fixed. */
    public static final String DATASET_FAILED = "DatasetFailed";

    private final KubernetesClient client;
    private final StageRunner runner;
    private final TransitionRecorder transitions;
    private final EventRecorder events;
    private final OperatorMetrics metrics;
    private final OperatorSettings settings;
    private final ReconcileCycle<AlignmentRunStatus, AlignmentRun> cycle;

    public AlignmentRunReconciler(KubernetesClient client, StageRunner runner, TransitionRecorder transitions,
                                  EventRecorder events, OperatorMetrics metrics, OperatorSettings settings) {
        this.client = client;
        this.runner = runner;
        this.transitions = transitions;
        this.events = events;
        this.metrics = metrics;
        this.settings = settings;
        // Status fields the stage pods write (see StatusWriter).
        this.cycle = new ReconcileCycle<>(KIND, AlignmentRunStatus.class, List.of("progress", "metrics"),
                status -> status.phase, metrics);
    }

    @Override
    public List<EventSource<?, AlignmentRun>> prepareEventSources(EventSourceContext<AlignmentRun> context) {
        var cache = context.getPrimaryCache();
        metrics.phaseGauges(KIND, RunPhase.values(), id -> cache.get(id).isPresent());
        var jobs = OwnedJobs.informer(AlignmentRun.class, KIND);
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
        return List.of(new InformerEventSource<>(jobs, context), new InformerEventSource<>(suites, context),
                new InformerEventSource<>(datasets, context));
    }

    @Override
    public UpdateControl<AlignmentRun> reconcile(AlignmentRun run, Context<AlignmentRun> context) {
        return cycle.run(run, context, this::reconcile);
    }

    record Outcome(RunPhase phase, State state, String reason, String message, boolean waiting) {}

    /**
     * The reconcile itself: reads what it needs from the API server (no JOSDK context), creates what is missing,
     * and returns the resource with its new status (written by the caller).
     */
    public UpdateControl<AlignmentRun> reconcile(AlignmentRun run) {
        if (run.getStatus() == null) {
            run.setStatus(new AlignmentRunStatus());
        }
        AlignmentRunStatus st = run.getStatus();
        long gen = run.getMetadata().getGeneration() != null ? run.getMetadata().getGeneration() : 1L;
        String oldPhase = st.phase != null ? st.phase.name() : null;
        var oldStages = TransitionRecorder.snapshot(st.stages);
        Long oldObserved = st.observedGeneration;
        Instant now = Instant.now();

        Outcome outcome;
        List<String> errors = RunValidator.validate(run.getSpec());
        if (!errors.isEmpty()) {
            outcome = new Outcome(RunPhase.Failed, State.FAILED, "InvalidSpec", String.join("; ", errors), false);
        } else {
            runner.ensureProgressIdentity(run, null);
            outcome = train(run, st, gen, now);
            if (outcome == null) {
                outcome = evaluate(run, st, gen);
            }
        }

        st.phase = outcome.phase();
        st.observedGeneration = gen;
        if ((st.phase == RunPhase.Succeeded || st.phase == RunPhase.Failed) && st.completionTime == null) {
            st.completionTime = Times.format(now);
        } else if (st.phase != RunPhase.Succeeded && st.phase != RunPhase.Failed) {
            st.completionTime = null;
        }
        Conditions.report(st.conditions, outcome.state(), outcome.reason(), outcome.message(), gen, now, true);
        transitions.record(run, oldPhase, oldStages, st.phase.name(), st.stages, outcome.reason(), outcome.message());
        if (oldObserved != null && oldObserved < gen && StageStates.find(st.stages, RunPlan.TRAIN)
                .map(s -> s.phase == StageState.Phase.Succeeded && s.generation != null && s.generation < gen)
                .orElse(false)) {
            events.record(run, "Warning", "SpecChangeNotApplied", "training already succeeded for generation "
                    + StageStates.find(st.stages, RunPlan.TRAIN).get().generation
                    + "; create a new AlignmentRun to train again");
        }
        UpdateControl<AlignmentRun> control = UpdateControl.patchStatus(run);
        return outcome.waiting() ? control.rescheduleAfter(settings.waitRecheckInterval()) : control;
    }

    /** The train stage; null when it has succeeded (go on to evaluation). */
    private Outcome train(AlignmentRun run, AlignmentRunStatus st, long gen, Instant now) {
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
            return new Outcome(RunPhase.Failed, State.FAILED, reason, "stage train: " + s.message, false);
        }
        String jobName = ChildNames.job(name, RunPlan.TRAIN, s.generation);
        StageSpec stageSpec = null;
        if (s.jobName == null) {
            // Not started yet: the dataset and the base model must be ready first.
            String datasetPath;
            String imageRoot = null;
            if (spec.dataset.path != null) {
                datasetPath = spec.dataset.path;
            } else {
                PreferenceDataset ds = client.resources(PreferenceDataset.class)
                        .inNamespace(run.getMetadata().getNamespace()).withName(spec.dataset.name).get();
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
                    return new Outcome(RunPhase.WaitingForDataset, State.BLOCKED, DATASET_FAILED, s.message, true);
                }
                if (phase != DatasetPhase.Ready) {
                    return waitingForDataset(s, "DatasetNotReady", "waiting for PreferenceDataset "
                            + spec.dataset.name + " to be Ready (phase " + (phase != null ? phase : "Pending") + ")");
                }
                if (!sameStorage(ds, run)) {
                    return new Outcome(RunPhase.Failed, State.FAILED, "InvalidSpec", "PreferenceDataset "
                            + spec.dataset.name + " is on another claim or subPath than the run's storage", false);
                }
                var set = DatasetRef.effectiveSet(spec.dataset, spec.method);
                datasetPath = ds.getStatus().artifacts == null ? null
                        : (String) Json.convert(ds.getStatus().artifacts, java.util.Map.class).get(set.name());
                if (datasetPath == null) {
                    return new Outcome(RunPhase.Failed, State.FAILED, "TrainingSetMissing", "PreferenceDataset "
                            + spec.dataset.name + " has no " + set + " set (disabled in its trainingSets?)", false);
                }
                // The sample stage writes every prompt's image relative to prompts.imageRoot (sources included),
                // and the training sets keep those paths.
                imageRoot = ds.getSpec().prompts.imageRoot != null ? ds.getSpec().prompts.imageRoot : "images";
            }
            var base = spec.baseModel;
            var resolution = new ModelResolver(n -> client.resources(AlignmentRun.class)
                    .inNamespace(run.getMetadata().getNamespace()).withName(n).get())
                    .resolve("base", base.path, base.alignmentRun, base.merged);
            if (resolution instanceof ModelResolver.Waiting w) {
                s.message = w.message();
                return w.blocked() ? new Outcome(RunPhase.Pending, State.BLOCKED, w.reason(), w.message(), true)
                        : new Outcome(RunPhase.Pending, State.WAITING, "BaseModelNotReady", w.message(), true);
            }
            if (resolution instanceof ModelResolver.Invalid i) {
                return new Outcome(RunPhase.Failed, State.FAILED, "InvalidSpec", i.message(), false);
            }
            ResolvedModel model = ((ModelResolver.Resolved) resolution).model();
            stageSpec = RunPlan.stageSpec(run, s.generation, model, datasetPath, imageRoot,
                    runner.progressReporting());
        }
        boolean suspend = Boolean.TRUE.equals(spec.suspend);
        var req = new StageJobRequest(run, StageName.train, RunPlan.TRAIN, jobName, 1, spec.resources,
                spec.jobPolicy, spec.queueName, suspend, spec.storage, null, ChildNames.progress(name));
        JobObservation obs = runner.run(req, stageSpec);
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
            case Failed -> new Outcome(RunPhase.Failed, State.FAILED, obs.failureReason(),
                    "stage train: " + obs.lastFailure(), false);
            case Suspended -> suspend
                    ? new Outcome(RunPhase.Suspended, State.SUSPENDED, "SuspendedBySpec",
                    "training is suspended; it resumes from checkpoint "
                            + (st.latestCheckpoint != null ? st.latestCheckpoint.path : "(latest)")
                            + " when spec.suspend is unset", false)
                    : new Outcome(RunPhase.Queued, State.PROGRESSING, "QueuedByKueue",
                    "waiting for admission by Kueue queue " + spec.queueName, false);
            default -> new Outcome(RunPhase.Training, State.PROGRESSING, "Training", trainingMessage(st, obs), false);
        };
    }

    private Outcome evaluate(AlignmentRun run, AlignmentRunStatus st, long gen) {
        if (run.getSpec().evaluation == null) {
            return new Outcome(RunPhase.Succeeded, State.READY, "Trained", "adapter at " + st.output.adapterPath,
                    false);
        }
        BenchmarkSuite suite = runner.createIfAbsent(EvaluationSuiteBuilder.build(run));
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
                return new Outcome(RunPhase.Succeeded, State.READY, "Evaluated",
                        "trained and evaluated; scores in status.evaluation, report " + ss.reportPath, false);
            }
            case Failed -> {
                s.phase = StageState.Phase.Failed;
                s.message = Conditions.find(ss.conditions, ConditionTypes.FAILED).map(c -> c.getMessage())
                        .orElse("failed");
                return new Outcome(RunPhase.Failed, State.FAILED, "EvaluationFailed",
                        "BenchmarkSuite " + st.benchmarkSuite + ": " + s.message, false);
            }
            default -> {
                s.phase = StageState.Phase.Running;
                s.message = "BenchmarkSuite " + st.benchmarkSuite + " is " + phase
                        + (ss != null && ss.modelsDone != null ? " (" + ss.modelsDone + " models)" : "");
                return new Outcome(RunPhase.Evaluating, State.PROGRESSING, "Evaluating", s.message, false);
            }
        }
    }

    private static Outcome waitingForDataset(StageState s, String reason, String message) {
        s.message = message;
        return new Outcome(RunPhase.WaitingForDataset, State.WAITING, reason, message, true);
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
