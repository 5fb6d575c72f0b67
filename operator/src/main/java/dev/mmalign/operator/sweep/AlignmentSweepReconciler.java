package dev.mmalign.operator.sweep;

import dev.mmalign.api.bench.BenchmarkResult;
import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.bench.SuitePhase;
import dev.mmalign.api.common.ConditionTypes;
import dev.mmalign.api.common.StageState;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.RunPhase;
import dev.mmalign.api.sweep.AlignmentSweep;
import dev.mmalign.api.sweep.AlignmentSweepStatus;
import dev.mmalign.api.sweep.SweepDocument;
import dev.mmalign.api.sweep.SweepPhase;
import dev.mmalign.api.sweep.SweepRun;
import dev.mmalign.operator.OperatorSettings;
import dev.mmalign.operator.k8s.ChildNames;
import dev.mmalign.operator.k8s.EventRecorder;
import dev.mmalign.operator.k8s.Json;
import dev.mmalign.operator.k8s.Labels;
import dev.mmalign.operator.k8s.Owners;
import dev.mmalign.operator.metrics.OperatorMetrics;
import dev.mmalign.operator.reconcile.Outcome;
import dev.mmalign.operator.reconcile.ReconcileShell;
import dev.mmalign.operator.reconcile.ReconcileSteps;
import dev.mmalign.operator.status.Conditions;
import dev.mmalign.operator.status.Conditions.State;
import dev.mmalign.operator.status.TransitionRecorder;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;

import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * AlignmentSweep: the child AlignmentRuns of its axes' points ({@link SweepPlan}), at most spec.maxConcurrent of them
 * unfinished at a time, one BenchmarkSuite over the base model and all of them, and the score tables of the suite's
 * results per axis ({@link SweepTables}) in status and in sweep.json (a ConfigMap). The sweep runs no Job itself.
 *
 * <p>Spec changes (what a new generation does):
 * <ul>
 *   <li>a new axis value adds the children of its points (created as slots free up) and their models in the suite;
 *   </li>
 *   <li>a removed value deletes the children of its points (their Jobs go with them; their outputs on the claim stay)
 *       and their models leave the suite: the sweep's children are always exactly its points;</li>
 *   <li>a template change is patched into every existing child whose wanted spec changed; each child then follows
 *       the AlignmentRun rules (a failed run is retrained, a running one keeps the spec it started with and says so,
 *       one that succeeded is not retrained);</li>
 *   <li>maxConcurrent applies to children created from then on; running children are never stopped.</li>
 * </ul>
 * A child edited by hand keeps the edit until the sweep wants another spec for it.
 */
@ControllerConfiguration(name = "alignmentsweep")
public class AlignmentSweepReconciler implements Reconciler<AlignmentSweep>,
        ReconcileSteps<AlignmentSweep, AlignmentSweepStatus, SweepPhase> {

    static final String KIND = "AlignmentSweep";
    /** Phase written for a point whose run is not created yet (waiting for a slot). */
    public static final String NOT_STARTED = "NotStarted";

    private final KubernetesClient client;
    private final OperatorMetrics metrics;
    private final ReconcileShell<AlignmentSweep, AlignmentSweepStatus, SweepPhase> shell;
    /** The children, cached by label-filtered informers registered in prepareEventSources (before any reconcile). */
    private volatile InformerEventSource<AlignmentRun, AlignmentSweep> runs;
    private volatile InformerEventSource<BenchmarkSuite, AlignmentSweep> suites;
    private volatile InformerEventSource<ConfigMap, AlignmentSweep> documents;

    public AlignmentSweepReconciler(KubernetesClient client, TransitionRecorder transitions, EventRecorder events,
                                    OperatorMetrics metrics, OperatorSettings settings) {
        this.client = client;
        this.metrics = metrics;
        this.shell = new ReconcileShell<>(this, transitions, events, metrics, settings);
    }

    @Override
    public List<EventSource<?, AlignmentSweep>> prepareEventSources(EventSourceContext<AlignmentSweep> context) {
        var cache = context.getPrimaryCache();
        metrics.phaseGauges(KIND, SweepPhase.values(), id -> cache.get(id).isPresent());
        runs = new InformerEventSource<>(InformerEventSourceConfiguration.from(AlignmentRun.class, AlignmentSweep.class)
                .withName("sweep-runs")
                .withLabelSelector(Labels.selectorForKind(KIND))
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(AlignmentSweep.class))
                .build(), context);
        suites = new InformerEventSource<>(InformerEventSourceConfiguration.from(BenchmarkSuite.class,
                        AlignmentSweep.class)
                .withName("sweep-suites")
                .withLabelSelector(Labels.selectorForKind(KIND))
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(AlignmentSweep.class))
                .build(), context);
        documents = new InformerEventSource<>(InformerEventSourceConfiguration.from(ConfigMap.class,
                        AlignmentSweep.class)
                .withName("sweep-documents")
                .withLabelSelector(Labels.selectorForKind(KIND))
                // Cached for reading; only the sweep writes it.
                .withSecondaryToPrimaryMapper(cm -> Set.of())
                .build(), context);
        return List.of(runs, suites, documents);
    }

    @Override
    public UpdateControl<AlignmentSweep> reconcile(AlignmentSweep sweep, Context<AlignmentSweep> context) {
        return shell.reconcile(sweep, context);
    }

    @Override
    public ErrorStatusUpdateControl<AlignmentSweep> updateErrorStatus(AlignmentSweep sweep,
                                                                      Context<AlignmentSweep> context, Exception e) {
        return shell.updateErrorStatus(sweep, context, e);
    }

    // --- ReconcileSteps -------------------------------------------------------------------------------------------

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public AlignmentSweepStatus emptyStatus() {
        return new AlignmentSweepStatus();
    }

    @Override
    public List<String> podOwnedFields() {
        return List.of(); // no pods of its own
    }

    @Override
    public boolean suspendable() {
        return false;
    }

    @Override
    public SweepPhase failedPhase() {
        return SweepPhase.Failed;
    }

    @Override
    public SweepPhase phase(AlignmentSweepStatus status) {
        return status.phase;
    }

    @Override
    public void setPhase(AlignmentSweepStatus status, SweepPhase phase) {
        status.phase = phase;
    }

    @Override
    public Long observedGeneration(AlignmentSweepStatus status) {
        return status.observedGeneration;
    }

    @Override
    public void setObservedGeneration(AlignmentSweepStatus status, long generation) {
        status.observedGeneration = generation;
    }

    @Override
    public List<Condition> conditions(AlignmentSweepStatus status) {
        return status.conditions;
    }

    @Override
    public List<StageState> stages(AlignmentSweepStatus status) {
        return new ArrayList<>(); // no stages: its work is done by its children
    }

    @Override
    public List<String> validate(AlignmentSweep sweep) {
        return SweepValidator.validate(sweep);
    }

    @Override
    public Outcome<SweepPhase> advance(AlignmentSweep sweep, AlignmentSweepStatus st, long gen, Instant now) {
        String ns = sweep.getMetadata().getNamespace();
        List<SweepPlan.Child> wanted = SweepPlan.children(sweep);
        Map<String, AlignmentRun> existing = runs.list(ns, r -> Owners.isControlledBy(r, sweep))
                .collect(Collectors.toMap(r -> r.getMetadata().getName(), r -> r, (a, b) -> a, LinkedHashMap::new));

        // Children of points no longer in the axes: deleted (the sweep's children are exactly its points).
        Set<String> wantedNames = wanted.stream().map(SweepPlan.Child::runName).collect(Collectors.toSet());
        for (AlignmentRun stale : List.copyOf(existing.values())) {
            if (!wantedNames.contains(stale.getMetadata().getName())) {
                client.resources(AlignmentRun.class).inNamespace(ns).withName(stale.getMetadata().getName()).delete();
                existing.remove(stale.getMetadata().getName());
            }
        }

        int active = (int) existing.values().stream().filter(r -> !finished(r)).count();
        int max = sweep.getSpec().maxConcurrent != null ? sweep.getSpec().maxConcurrent : 2;
        List<SweepRun> rows = new ArrayList<>();
        Map<String, String> failedRuns = new LinkedHashMap<>();
        int succeeded = 0;
        for (SweepPlan.Child child : wanted) {
            AlignmentRun desired = SweepPlan.run(sweep, child);
            AlignmentRun run = existing.get(child.runName());
            if (run == null && active < max) {
                run = create(runs, desired);
                active++;
            } else if (run != null && !hashOf(run).equals(hashOf(desired))) {
                run = patch(runs, run, r -> {
                    r.setSpec(desired.getSpec());
                    r.getMetadata().getAnnotations().put(SweepPlan.SPEC_HASH, hashOf(desired));
                    return r;
                });
            }
            SweepRun row = new SweepRun();
            row.name = child.runName();
            row.model = child.model();
            row.point = child.point();
            RunPhase phase = run != null && run.getStatus() != null ? run.getStatus().phase : null;
            row.phase = run == null ? NOT_STARTED : phase != null ? phase.name() : RunPhase.Pending.name();
            rows.add(row);
            if (phase == RunPhase.Succeeded) {
                succeeded++;
            } else if (phase == RunPhase.Failed) {
                failedRuns.put(child.runName(), Conditions.find(run.getStatus().conditions, ConditionTypes.FAILED)
                        .map(Condition::getMessage).orElse("failed"));
            }
        }
        st.runs = rows;
        st.running = active;
        st.runsDone = succeeded + "/" + wanted.size();

        BenchmarkSuite desiredSuite = SweepPlan.suite(sweep, wanted);
        BenchmarkSuite suite = suites.get(ResourceID.fromResource(desiredSuite)).orElse(null);
        if (suite == null) {
            suite = create(suites, desiredSuite);
        } else if (!hashOf(suite).equals(hashOf(desiredSuite))) {
            suite = patch(suites, suite, s -> {
                s.setSpec(desiredSuite.getSpec());
                s.getMetadata().getAnnotations().put(SweepPlan.SPEC_HASH, hashOf(desiredSuite));
                return s;
            });
        }
        st.benchmarkSuite = suite.getMetadata().getName();
        var ss = suite.getStatus();
        List<BenchmarkResult> results = ss != null && ss.results != null ? ss.results : List.of();
        st.tables = SweepTables.tables(sweep.getSpec().axes, rows, results);
        if (!results.isEmpty()) {
            writeDocument(sweep, SweepTables.document(sweep.getMetadata().getName(), st.benchmarkSuite,
                    sweep.getSpec().axes, rows, results, st.tables));
            st.tableConfigMap = ChildNames.sweepTable(sweep.getMetadata().getName());
        }

        if (!failedRuns.isEmpty()) {
            return Outcome.of(SweepPhase.Failed, State.FAILED, "RunFailed", failedRuns.entrySet().stream()
                    .map(e -> "AlignmentRun " + e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; "))
                    + " (the other runs go on; a spec change of the sweep or the run retrains it)");
        }
        SuitePhase suitePhase = ss != null && ss.phase != null ? ss.phase : SuitePhase.Pending;
        if (suitePhase == SuitePhase.Failed) {
            return Outcome.of(SweepPhase.Failed, State.FAILED, "EvaluationFailed", "BenchmarkSuite "
                    + st.benchmarkSuite + ": " + Conditions.find(ss.conditions, ConditionTypes.FAILED)
                    .map(Condition::getMessage).orElse("failed"));
        }
        if (succeeded < wanted.size()) {
            long notStarted = rows.stream().filter(r -> NOT_STARTED.equals(r.phase)).count();
            return Outcome.of(SweepPhase.Running, State.PROGRESSING, "Training", st.runsDone + " runs trained, "
                    + active + " training (at most " + max + " at once), " + notStarted + " waiting for a slot");
        }
        if (suitePhase != SuitePhase.Succeeded) {
            return Outcome.of(SweepPhase.Evaluating, State.PROGRESSING, "Evaluating", "all " + wanted.size()
                    + " runs trained; BenchmarkSuite " + st.benchmarkSuite + " is " + suitePhase
                    + (ss != null && ss.modelsDone != null ? " (" + ss.modelsDone + " models)" : ""));
        }
        return Outcome.of(SweepPhase.Succeeded, State.READY, "Evaluated", wanted.size() + " runs trained and "
                + "evaluated; tables in status.tables, " + SweepDocument.FILE_NAME + " in ConfigMap "
                + st.tableConfigMap);
    }

    private static boolean finished(AlignmentRun run) {
        RunPhase p = run.getStatus() != null ? run.getStatus().phase : null;
        return p == RunPhase.Succeeded || p == RunPhase.Failed;
    }

    private static String hashOf(HasMetadata obj) {
        Map<String, String> a = obj.getMetadata().getAnnotations();
        return a != null ? Objects.requireNonNullElse(a.get(SweepPlan.SPEC_HASH), "") : "";
    }

    /** Creates a child and puts it into its cache at once, so that the next reconcile counts it (maxConcurrent). */
    private <T extends HasMetadata> T create(InformerEventSource<T, AlignmentSweep> cache, T obj) {
        var op = client.resource(obj).inNamespace(obj.getMetadata().getNamespace());
        try {
            T created = op.create();
            cache.handleRecentResourceCreate(ResourceID.fromResource(created), created);
            return created;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return op.get(); // the cache had not caught up
            }
            throw e;
        }
    }

    private <T extends HasMetadata> T patch(InformerEventSource<T, AlignmentSweep> cache, T before,
                                            UnaryOperator<T> change) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) before.getClass();
        T after = client.resources(type).inNamespace(before.getMetadata().getNamespace())
                .withName(before.getMetadata().getName()).edit(t -> {
                    if (t.getMetadata().getAnnotations() == null) {
                        t.getMetadata().setAnnotations(new HashMap<>());
                    }
                    return change.apply(t);
                });
        cache.handleRecentResourceUpdate(ResourceID.fromResource(after), after, before);
        return after;
    }

    /** sweep.json into the sweep's ConfigMap, written only when it changed. */
    private void writeDocument(AlignmentSweep sweep, SweepDocument doc) {
        String name = ChildNames.sweepTable(sweep.getMetadata().getName());
        String json = Json.write(doc);
        ConfigMap current = documents.get(new ResourceID(name, sweep.getMetadata().getNamespace())).orElse(null);
        if (current == null) {
            ConfigMap cm = new ConfigMapBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace(sweep.getMetadata().getNamespace())
                    .withLabels(Labels.forChild(sweep, "sweep-table"))
                    .withOwnerReferences(Owners.controllerReference(sweep))
                    .endMetadata()
                    .withData(Map.of(SweepDocument.FILE_NAME, json))
                    .build();
            create(documents, cm);
        } else if (current.getData() == null || !json.equals(current.getData().get(SweepDocument.FILE_NAME))) {
            patch(documents, current, cm -> {
                cm.setData(Map.of(SweepDocument.FILE_NAME, json));
                return cm;
            });
        }
    }
}
