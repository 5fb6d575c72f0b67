package dev.mmalign.operator.sweep;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.common.ConditionTypes;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.RunPhase;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.sweep.AlignmentSweep;
import dev.mmalign.api.sweep.SweepDocument;
import dev.mmalign.api.sweep.SweepPhase;
import dev.mmalign.operator.k8s.Json;
import dev.mmalign.operator.k8s.Labels;
import dev.mmalign.operator.testing.Fixtures;
import dev.mmalign.operator.testing.OperatorTestBase;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.mmalign.operator.testing.Fixtures.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AlignmentSweep against the mock API server, the test playing the Job controller and the kubelet. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class AlignmentSweepReconcilerTest extends OperatorTestBase {

    private void train(String ns, String run) {
        String job = run + "-train-1";
        kubelet.awaitJob(ns, job);
        kubelet.start(ns, job);
        kubelet.succeed(ns, job, 0, result(StageName.train, Map.of(), Map.of(),
                Map.of("adapter", "mmalign/runs/" + run + "/adapter")));
        awaitResource(AlignmentRun.class, ns, run, r -> r.getStatus() != null
                && r.getStatus().phase == RunPhase.Succeeded);
    }

    private void evaluate(String ns, String job, double popeF1, double exact) {
        kubelet.awaitJob(ns, job);
        kubelet.start(ns, job);
        kubelet.succeed(ns, job, 0, Fixtures.scores(popeF1, exact));
    }

    private long unfinishedRuns(String ns) {
        return client.resources(AlignmentRun.class).inNamespace(ns).list().getItems().stream()
                .filter(r -> r.getStatus() == null || (r.getStatus().phase != RunPhase.Succeeded
                        && r.getStatus().phase != RunPhase.Failed)).count();
    }

    /**
     * Guards the sweep's life: one child per data fraction, owned and labelled, at most maxConcurrent (2) unfinished
     * at once (the third is created only when one has trained); one suite over the base and every child; once the
     * suite has succeeded the sweep is Succeeded with a table per axis (rows = fractions, columns = metrics) in
     * status and sweep.json in its ConfigMap.
     */
    @Test
    void createsChildrenWithinTheCapAndFillsTheTableWhenTheSuiteSucceeds() throws Exception {
        String ns = "sweep-happy";
        client.resource(Fixtures.sweep(ns, "fig2", List.of(0.25, 0.5, 1.0), null, 2)).create();

        AlignmentSweep started = awaitResource(AlignmentSweep.class, ns, "fig2", s -> s.getStatus() != null
                && s.getStatus().runs.size() == 3 && Integer.valueOf(2).equals(s.getStatus().running));
        assertEquals(SweepPhase.Running, started.getStatus().phase);
        assertEquals(List.of("fig2-f0p25", "fig2-f0p5", "fig2-f1"),
                started.getStatus().runs.stream().map(r -> r.name).toList());
        assertEquals(AlignmentSweepReconciler.NOT_STARTED, started.getStatus().runs.get(2).phase);
        assertEquals(Map.of("dataFraction", "0.25"), started.getStatus().runs.get(0).point);
        // The cap: two children exist, the third waits for a slot (nothing has finished, so none can free up).
        assertNull(get(AlignmentRun.class, ns, "fig2-f1"));
        AlignmentRun first = get(AlignmentRun.class, ns, "fig2-f0p25");
        assertEquals(0.25, first.getSpec().dataFraction);
        assertEquals("AlignmentSweep", first.getMetadata().getLabels().get(Labels.OWNER_KIND));
        assertEquals("fig2", first.getMetadata().getOwnerReferences().get(0).getName());
        assertNotNull(get(AlignmentRun.class, ns, "fig2-f0p5"));

        BenchmarkSuite suite = awaitResource(BenchmarkSuite.class, ns, "fig2-suite", s -> true);
        assertEquals(List.of("base", "f0p25", "f0p5", "f1"), suite.getSpec().models.stream().map(m -> m.name).toList());
        assertEquals("base", suite.getSpec().baseline);

        train(ns, "fig2-f0p25");
        awaitResource(AlignmentRun.class, ns, "fig2-f1", r -> true);
        assertTrue(unfinishedRuns(ns) <= 2, "at most maxConcurrent unfinished runs");
        train(ns, "fig2-f0p5");
        train(ns, "fig2-f1");

        evaluate(ns, "fig2-suite-evaluate-base-1", 0.60, 0.20);
        evaluate(ns, "fig2-suite-evaluate-f0p25-1", 0.62, 0.30);
        evaluate(ns, "fig2-suite-evaluate-f0p5-1", 0.65, 0.35);
        evaluate(ns, "fig2-suite-evaluate-f1-1", 0.70, 0.45);
        kubelet.awaitJob(ns, "fig2-suite-report-1");
        kubelet.start(ns, "fig2-suite-report-1");
        kubelet.succeed(ns, "fig2-suite-report-1", 0, result(StageName.evaluate, Map.of(), Map.of(),
                Map.of("results", "mmalign/suites/fig2-suite/results.json",
                        "report", "mmalign/suites/fig2-suite/report.html")));

        AlignmentSweep done = awaitResource(AlignmentSweep.class, ns, "fig2",
                s -> s.getStatus().phase == SweepPhase.Succeeded);
        var st = done.getStatus();
        assertTrue(ready(st.conditions));
        assertEquals("3/3", st.runsDone);
        assertEquals(done.getMetadata().getGeneration(), st.observedGeneration);
        assertEquals(1, st.tables.size());
        var table = st.tables.get(0);
        assertEquals("dataFraction", table.axis);
        assertEquals(List.of("0.25", "0.5", "1"), table.rows.stream().map(r -> r.value).toList());
        assertTrue(table.metrics.contains("pope/f1"), table.metrics.toString());
        assertEquals(0.60, table.baseline.get("pope/f1"), 1e-9);
        assertEquals(List.of(0.62, 0.65, 0.70), table.rows.stream().map(r -> r.scores.get("pope/f1")).toList());
        assertEquals(List.of(1, 1, 1), table.rows.stream().map(r -> r.runs).toList());

        ConfigMap cm = get(ConfigMap.class, ns, st.tableConfigMap);
        SweepDocument doc = Json.MAPPER.readValue(cm.getData().get(SweepDocument.FILE_NAME), SweepDocument.class);
        assertEquals("fig2-suite", doc.benchmarkSuite);
        assertEquals(3, doc.runs.size());
        assertEquals(0.70, doc.runs.get(2).scores.get("pope/f1"), 1e-9);
        assertEquals("Succeeded", doc.runs.get(2).phase);
    }

    /**
     * Guards spec changes: a removed axis value deletes its child and leaves the suite; a new value gets a child and
     * a model in the suite.
     */
    @Test
    void changedAxisValuesDeleteAndAddChildren() {
        String ns = "sweep-change";
        client.resource(Fixtures.sweep(ns, "s", List.of(0.5, 1.0), null, 2)).create();
        awaitResource(AlignmentRun.class, ns, "s-f1", r -> true);
        awaitResource(AlignmentRun.class, ns, "s-f0p5", r -> true);

        edit(AlignmentSweep.class, ns, "s", s -> {
            s.getSpec().axes.dataFraction = List.of(0.25, 0.5);
            return s;
        });
        awaitResource(AlignmentRun.class, ns, "s-f0p25", r -> true);
        // The suite had three models before too: wait for the new ones.
        awaitResource(BenchmarkSuite.class, ns, "s-suite", s -> s.getSpec().models.stream().map(m -> m.name).toList()
                .equals(List.of("base", "f0p25", "f0p5")));
        // Deleted in the reconcile that created s-f0p25 (before it, to free the slot).
        assertNull(get(AlignmentRun.class, ns, "s-f1"));
        AlignmentSweep sweep = awaitResource(AlignmentSweep.class, ns, "s", s -> s.getStatus() != null
                && s.getStatus().runs.stream().map(r -> r.name).toList().equals(List.of("s-f0p25", "s-f0p5")));
        assertEquals("0/2", sweep.getStatus().runsDone);
        assertEquals(Map.of("dataFraction", "0.25"), sweep.getStatus().runs.get(0).point);
    }

    /** Guards validation without CEL: a product over the cap fails with InvalidSpec naming the field, no child. */
    @Test
    void tooManyPointsFailAsInvalidSpec() {
        String ns = "sweep-invalid";
        List<Double> many = List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8);
        client.resource(Fixtures.sweep(ns, "big", many, List.of(0.05, 0.1, 0.2, 0.5), 2)).create();
        AlignmentSweep failed = awaitResource(AlignmentSweep.class, ns, "big", s -> s.getStatus() != null
                && s.getStatus().phase == SweepPhase.Failed);
        var cond = condition(failed.getStatus().conditions, ConditionTypes.FAILED).orElseThrow();
        assertEquals("InvalidSpec", cond.getReason());
        assertTrue(cond.getMessage().contains("spec.axes") && cond.getMessage().contains("32 child runs"),
                cond.getMessage());
        assertEquals(List.of(), client.resources(AlignmentRun.class).inNamespace(ns).list().getItems());
    }
}
