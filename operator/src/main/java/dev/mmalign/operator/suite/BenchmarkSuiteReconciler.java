package dev.mmalign.operator.suite;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.bench.BenchmarkSuiteStatus;
import dev.mmalign.api.bench.ModelUnderTest;
import dev.mmalign.api.bench.SuitePhase;
import dev.mmalign.api.common.StageState;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.stage.GpuUse;
import dev.mmalign.api.stage.ArtifactLayout;
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
import dev.mmalign.operator.run.ModelResolver;
import dev.mmalign.operator.run.RunChanges;
import dev.mmalign.operator.status.Conditions;
import dev.mmalign.operator.status.Conditions.State;
import dev.mmalign.operator.status.StageStates;
import dev.mmalign.operator.status.TransitionRecorder;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * BenchmarkSuite: one evaluate Job per model (see {@link SuitePlan} for why), each started as soon as its model is
 * available (a folder at once, an AlignmentRun once trained), then a report Job; headline scores and deltas against
 * the baseline in status, the full results and the HTML report in files referenced from status.
 *
 * <p>Rerun rule: as for the other kinds, a model's evaluation that succeeded is not rerun by a spec change; a failed
 * one is rerun when the spec changes.
 */
@ControllerConfiguration(name = "benchmarksuite")
public class BenchmarkSuiteReconciler implements Reconciler<BenchmarkSuite>,
        ReconcileSteps<BenchmarkSuite, BenchmarkSuiteStatus, SuitePhase> {

    static final String KIND = "BenchmarkSuite";

    private final KubernetesClient client;
    private final StageRunner runner;
    /** Wakes a suite evaluating a run when that run was reconciled. */
    private final RunChanges runChanges;
    /** This kind's children, cached by informers registered in prepareEventSources (before any reconcile). */
    private volatile ChildCaches children;
    private final OperatorMetrics metrics;
    private final ReconcileShell<BenchmarkSuite, BenchmarkSuiteStatus, SuitePhase> shell;

    public BenchmarkSuiteReconciler(KubernetesClient client, StageRunner runner, TransitionRecorder transitions,
                                    EventRecorder events, OperatorMetrics metrics, OperatorSettings settings,
                                    RunChanges runChanges) {
        this.client = client;
        this.runChanges = runChanges;
        this.runner = runner;
        this.metrics = metrics;
        this.shell = new ReconcileShell<>(this, transitions, events, metrics, settings);
    }

    @Override
    public List<EventSource<?, BenchmarkSuite>> prepareEventSources(EventSourceContext<BenchmarkSuite> context) {
        var cache = context.getPrimaryCache();
        metrics.phaseGauges(KIND, SuitePhase.values(), id -> cache.get(id).isPresent());
        children = ChildCaches.create(BenchmarkSuite.class, KIND, context);
        EventSource<?, BenchmarkSuite> runs = runChanges.eventSource("evaluated-runs",
                run -> cache.list(run.getMetadata().getNamespace())
                        .filter(s -> s.getSpec() != null && s.getSpec().models != null && s.getSpec().models.stream()
                                .anyMatch(m -> run.getMetadata().getName().equals(m.alignmentRun)))
                        .map(ResourceID::fromResource).collect(Collectors.toSet()));
        List<EventSource<?, BenchmarkSuite>> sources = new java.util.ArrayList<>(children.eventSources());
        sources.add(runs);
        return sources;
    }

    @Override
    public UpdateControl<BenchmarkSuite> reconcile(BenchmarkSuite suite, Context<BenchmarkSuite> context) {
        return shell.reconcile(suite, context);
    }

    @Override
    public ErrorStatusUpdateControl<BenchmarkSuite> updateErrorStatus(BenchmarkSuite suite,
                                                                     Context<BenchmarkSuite> context, Exception e) {
        return shell.updateErrorStatus(suite, context, e);
    }

    /** The reconcile without its status write (see {@link ReconcileShell#decide}); the new status is on {@code suite}. */
    public Outcome<SuitePhase> decide(BenchmarkSuite suite) {
        return shell.decide(suite);
    }

    // --- ReconcileSteps -------------------------------------------------------------------------------------------

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public BenchmarkSuiteStatus emptyStatus() {
        return new BenchmarkSuiteStatus();
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
    public SuitePhase failedPhase() {
        return SuitePhase.Failed;
    }

    @Override
    public SuitePhase phase(BenchmarkSuiteStatus status) {
        return status.phase;
    }

    @Override
    public void setPhase(BenchmarkSuiteStatus status, SuitePhase phase) {
        status.phase = phase;
    }

    @Override
    public Long observedGeneration(BenchmarkSuiteStatus status) {
        return status.observedGeneration;
    }

    @Override
    public void setObservedGeneration(BenchmarkSuiteStatus status, long generation) {
        status.observedGeneration = generation;
    }

    @Override
    public List<Condition> conditions(BenchmarkSuiteStatus status) {
        return status.conditions;
    }

    @Override
    public List<StageState> stages(BenchmarkSuiteStatus status) {
        return status.stages;
    }

    @Override
    public List<String> validate(BenchmarkSuite suite) {
        return SuiteValidator.validate(suite.getSpec());
    }

    @Override
    public Outcome<SuitePhase> advance(BenchmarkSuite suite, BenchmarkSuiteStatus st, long gen, Instant now) {
        var judge = suite.getSpec().judge;
        runner.ensureProgressIdentity(children, suite, judge != null && judge.credentials != null
                ? judge.credentials.gcpServiceAccount : null);
        return evaluate(suite, st, gen);
    }

    private Outcome<SuitePhase> evaluate(BenchmarkSuite suite, BenchmarkSuiteStatus st, long gen) {
        var spec = suite.getSpec();
        String name = suite.getMetadata().getName();
        String ns = suite.getMetadata().getNamespace();
        var resolver = new ModelResolver(n -> client.resources(AlignmentRun.class).inNamespace(ns).withName(n).get());
        List<String> order = spec.models.stream().map(m -> m.name).toList();
        boolean workloadIdentity = spec.judge != null && spec.judge.credentials != null
                && spec.judge.credentials.gcpServiceAccount != null;
        String judgeSa = workloadIdentity ? ChildNames.judge(name) : ChildNames.progress(name);
        int gpus = GpuUse.working(StageName.evaluate, spec.resources != null ? spec.resources.gpus : null);

        Map<String, ResolvedModel> resolved = new LinkedHashMap<>();
        List<String> waiting = new ArrayList<>();
        boolean blocked = false;
        Outcome<SuitePhase> failure = null;
        boolean running = false;
        int done = 0;
        for (ModelUnderTest m : spec.models) {
            StageState s = StageStates.getOrAdd(st.stages, SuitePlan.stageName(m.name), gen);
            if (StageStates.needsRestart(s, gen)) {
                StageStates.restart(s, gen);
            }
            var resolution = resolver.resolve(m.name, m.path, m.alignmentRun, m.merged);
            if (resolution instanceof ModelResolver.Invalid i) {
                return Outcome.of(SuitePhase.Failed, State.FAILED, "InvalidSpec", i.message());
            }
            ResolvedModel model = resolution instanceof ModelResolver.Resolved r ? r.model() : null;
            if (model != null) {
                resolved.put(m.name, model);
            } else if (s.jobName == null && s.phase != StageState.Phase.Succeeded) {
                // Not started: wait for the model. (A started evaluation goes on with the spec it was given.)
                ModelResolver.Waiting w = (ModelResolver.Waiting) resolution;
                s.message = w.message();
                waiting.add(w.message());
                blocked |= w.blocked();
                continue;
            }
            if (s.phase == StageState.Phase.Succeeded) {
                done++;
                continue;
            }
            if (s.phase == StageState.Phase.Failed) {
                failure = failure != null ? failure : failed(s, "JobFailed");
                continue;
            }
            String jobName = ChildNames.job(name, SuitePlan.stageName(m.name), s.generation);
            var req = StageJobRequest.builder(suite, StageName.evaluate, jobName, spec.storage, judgeSa)
                    .stageLabel(s.name).resources(spec.resources).jobPolicy(spec.jobPolicy)
                    .queueName(spec.queueName).judge(spec.judge).build();
            JobObservation obs = runner.run(children, req, s.jobName != null || model == null ? null
                    : SuitePlan.evaluateSpec(suite, s.generation, model, runner.progressReporting()));
            StageStates.apply(s, jobName, obs);
            switch (obs.phase()) {
                case Succeeded -> {
                    done++;
                    var rows = SuiteResults.rows(m.name, spec.benchmarks,
                            obs.results().isEmpty() ? null : obs.results().get(0));
                    st.results = SuiteResults.replaceModel(st.results, m.name, rows, order);
                    metrics.gpuSeconds(KIND, gpus * obs.podSeconds());
                }
                case Failed -> {
                    failure = failure != null ? failure : failed(s, obs.failureReason());
                    metrics.gpuSeconds(KIND, gpus * obs.podSeconds());
                }
                default -> running = true;
            }
        }
        SuiteResults.computeDeltas(st.results, spec.baseline);
        st.modelsDone = done + "/" + spec.models.size();

        if (failure != null) {
            return failure;
        }
        if (done < spec.models.size()) {
            if (running || waiting.isEmpty()) {
                return Outcome.of(SuitePhase.Running, State.PROGRESSING, "Evaluating",
                        st.modelsDone + " models evaluated");
            }
            // Blocked when a model's run failed: the suite goes on only once that run is fixed and trained.
            return Outcome.waiting(SuitePhase.WaitingForModels, blocked ? State.BLOCKED : State.WAITING,
                    blocked ? ModelResolver.RUN_FAILED : "ModelsNotReady", String.join("; ", waiting));
        }
        return report(suite, st, gen, new ArrayList<>(resolved.values()));
    }

    /** All models are evaluated: merge their results into results.json and report.html. */
    private Outcome<SuitePhase> report(BenchmarkSuite suite, BenchmarkSuiteStatus st, long gen,
                                       List<ResolvedModel> models) {
        var spec = suite.getSpec();
        String name = suite.getMetadata().getName();
        StageState s = StageStates.getOrAdd(st.stages, SuitePlan.REPORT, gen);
        if (StageStates.needsRestart(s, gen)) {
            StageStates.restart(s, gen);
        }
        if (s.phase == StageState.Phase.Failed) {
            return failed(s, "JobFailed");
        }
        if (s.phase != StageState.Phase.Succeeded) {
            String jobName = ChildNames.job(name, SuitePlan.REPORT, s.generation);
            // No judge, no accelerator: it only reads result files and writes the report.
            var req = StageJobRequest.builder(suite, StageName.evaluate, jobName, spec.storage,
                            ChildNames.progress(name))
                    .stageLabel(SuitePlan.REPORT).jobPolicy(spec.jobPolicy).queueName(spec.queueName).build();
            String ns = suite.getMetadata().getNamespace();
            // Looked up only while the report Job is to be created: once started it goes on with the spec it got.
            JobObservation obs = runner.run(children, req, s.jobName != null ? null : SuitePlan.reportSpec(suite,
                    s.generation, models, SuiteReportInputs.of(spec,
                            n -> client.resources(AlignmentRun.class).inNamespace(ns).withName(n).get(),
                            n -> client.resources(PreferenceDataset.class).inNamespace(ns).withName(n).get(),
                            st.results), runner.progressReporting()));
            StageStates.apply(s, jobName, obs);
            if (obs.phase() == StageState.Phase.Failed) {
                return failed(s, obs.failureReason());
            }
            if (obs.phase() != StageState.Phase.Succeeded) {
                return Outcome.of(SuitePhase.Running, State.PROGRESSING, "WritingReport",
                        "all models evaluated; writing the report");
            }
            var result = obs.results().isEmpty() ? null : obs.results().get(0);
            st.resultsPath = SuiteResults.artifact(result, "results", ArtifactLayout.suiteResults(name));
            st.reportPath = SuiteResults.artifact(result, "report", ArtifactLayout.suiteReport(name));
            var p = new dev.mmalign.api.common.Progress();
            p.stage = StageName.evaluate.name();
            p.percent = 100.0;
            p.message = "done";
            st.progress = p;
        }
        return Outcome.of(SuitePhase.Succeeded, State.READY, "Evaluated", st.results.size() + " scores of "
                + spec.models.size() + " models; report at " + st.reportPath);
    }

    private static Outcome<SuitePhase> failed(StageState s, String reason) {
        return Outcome.of(SuitePhase.Failed, State.FAILED, reason != null ? reason : "JobFailed",
                "stage " + s.name + ": " + (s.message != null ? s.message : "failed"));
    }
}
