package dev.mmalign.operator.sweep;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.bench.EvaluationSpec;
import dev.mmalign.api.common.ComputeResources;
import dev.mmalign.api.run.Precision;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.run.TrainingSet;
import dev.mmalign.api.sweep.AlignmentSweep;
import dev.mmalign.api.run.DatasetRef;
import dev.mmalign.operator.k8s.Json;
import dev.mmalign.operator.k8s.Labels;
import dev.mmalign.operator.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sweep's pure planning: children from the axes, their names, specs and ownership, and the one suite. */
class SweepPlanTest {

    private static AlignmentSweep sweep() {
        AlignmentSweep s = Fixtures.sweep("ns", "fig2", List.of(0.25, 0.5, 1.0), List.of(0.1, 0.5), 2);
        s.getMetadata().setUid("uid-1");
        return s;
    }

    /** Guards the product: every point once, the first axis slowest, each child's spec set from its point only. */
    @Test
    void childrenAreTheProductOfTheAxesWithThePointAppliedToTheTemplate() {
        var children = SweepPlan.children(sweep());
        assertEquals(List.of("fig2-f0p25-b0p1", "fig2-f0p25-b0p5", "fig2-f0p5-b0p1", "fig2-f0p5-b0p5",
                "fig2-f1-b0p1", "fig2-f1-b0p5"), children.stream().map(SweepPlan.Child::runName).toList());
        var c = children.get(3);
        assertEquals("f0p5-b0p5", c.model());
        assertEquals(Map.of("dataFraction", "0.5", "beta", "0.5"), c.point());
        assertEquals(List.of("dataFraction", "beta"), List.copyOf(c.point().keySet()));
        assertEquals(0.5, c.spec().dataFraction);
        assertEquals(0.5, c.spec().dpo.beta);
        assertEquals("sets/dpo.jsonl", c.spec().dataset.path);
        assertNull(c.spec().evaluation);
        // The template itself is not changed by planning.
        assertEquals(1.0, sweep().getSpec().template.dataFraction);
    }

    /** Guards that non-DPO children ignore the DPO axes: one SFT child per data fraction, without dpo settings. */
    @Test
    void methodsOtherThanDpoIgnoreTheDpoAxesAndGetTheirOwnTrainingSet() {
        AlignmentSweep s = sweep();
        s.getSpec().axes.dataFraction = List.of(0.5);
        s.getSpec().axes.method = List.of(Method.DPO, Method.SFT);
        s.getSpec().axes.averageLogProbs = List.of(false, true);
        s.getSpec().template.dataset.path = null;
        s.getSpec().template.dataset.name = "ds";
        var children = SweepPlan.children(s);
        // Product order (method varies fastest); the SFT child is kept where it first occurs.
        assertEquals(List.of("fig2-f0p5-b0p1-sum-dpo", "fig2-f0p5-sft", "fig2-f0p5-b0p1-avg-dpo",
                "fig2-f0p5-b0p5-sum-dpo", "fig2-f0p5-b0p5-avg-dpo"),
                children.stream().map(SweepPlan.Child::runName).toList());
        var sft = children.get(1);
        assertEquals(Method.SFT, sft.spec().method);
        assertNull(sft.spec().dpo);
        assertEquals(Map.of("dataFraction", "0.5", "method", "SFT"), sft.point());
        assertEquals(TrainingSet.goldSFT, DatasetRef.effectiveSet(sft.spec().dataset, sft.spec().method));
        assertTrue(children.get(2).spec().dpo.averageLogProbs);
    }

    /** Guards names: long sweep names and many axes still give valid, distinct run (63) and model (40) names. */
    @Test
    void namesStayValidAndDistinctWhenLong() {
        AlignmentSweep s = sweep();
        s.getMetadata().setName("a-very-long-sweep-name-that-fills-most-of-the-allowed-length-x");
        s.getSpec().axes.learningRate = List.of(0.00012345, 0.00054321);
        s.getSpec().axes.averageLogProbs = List.of(true, false);
        var children = SweepPlan.children(s);
        assertEquals(24, children.size());
        assertEquals(24, children.stream().map(SweepPlan.Child::runName).distinct().count());
        assertEquals(24, children.stream().map(SweepPlan.Child::model).distinct().count());
        for (var c : children) {
            assertTrue(c.runName().length() <= 63 && c.runName().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"), c.runName());
            assertTrue(c.model().length() <= 40 && c.model().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"), c.model());
        }
    }

    /** Guards the child object: owned by the sweep, labelled as its child, and a spec hash that follows the spec. */
    @Test
    void childRunIsOwnedLabelledAndHashed() {
        AlignmentSweep s = sweep();
        var children = SweepPlan.children(s);
        AlignmentRun run = SweepPlan.run(s, children.get(0));
        assertEquals("fig2", run.getMetadata().getOwnerReferences().get(0).getName());
        assertTrue(run.getMetadata().getOwnerReferences().get(0).getController());
        assertEquals("AlignmentSweep", run.getMetadata().getLabels().get(Labels.OWNER_KIND));
        assertEquals("fig2", run.getMetadata().getLabels().get(Labels.OWNER_NAME));
        String hash = run.getMetadata().getAnnotations().get(SweepPlan.SPEC_HASH);
        assertEquals(hash, SweepPlan.run(s, SweepPlan.children(s).get(0)).getMetadata().getAnnotations()
                .get(SweepPlan.SPEC_HASH));
        s.getSpec().template.training.epochs = 5;
        assertNotEquals(hash, SweepPlan.run(s, SweepPlan.children(s).get(0)).getMetadata().getAnnotations()
                .get(SweepPlan.SPEC_HASH));
    }

    /** Guards the suite: the base once (the baseline), then every child's aligned model, on the sweep's benchmarks. */
    @Test
    void suiteEvaluatesTheBaseOnceAndEveryChild() {
        AlignmentSweep s = sweep();
        var children = SweepPlan.children(s);
        BenchmarkSuite suite = SweepPlan.suite(s, children);
        assertEquals("fig2-suite", suite.getMetadata().getName());
        var models = suite.getSpec().models;
        assertEquals(7, models.size());
        assertEquals("base", models.get(0).name);
        assertEquals("models/tiny", models.get(0).path);
        assertEquals("base", suite.getSpec().baseline);
        assertEquals("f0p25-b0p1", models.get(1).name);
        assertEquals("fig2-f0p25-b0p1", models.get(1).alignmentRun);
        assertEquals(s.getSpec().evaluation.benchmarks.size(), suite.getSpec().benchmarks.size());
        assertEquals("AlignmentSweep", suite.getMetadata().getLabels().get(Labels.OWNER_KIND));
    }

    /**
     * Guards that every field of the sweep's evaluation reaches its suite, precision included (the suite once dropped
     * it and evaluated in fp16 whatever the sweep said): the suite's evaluation part equals the sweep's, as JSON.
     */
    @Test
    void suiteCarriesEveryFieldOfTheSweepsEvaluation() {
        AlignmentSweep s = sweep();
        s.getSpec().evaluation.precision = Precision.fp32;
        s.getSpec().evaluation.resources = new ComputeResources();
        s.getSpec().evaluation.resources.cpu = "3";
        BenchmarkSuite suite = SweepPlan.suite(s, SweepPlan.children(s));
        assertEquals(Precision.fp32, suite.getSpec().precision);
        assertEquals(Json.write(s.getSpec().evaluation), Json.write(Json.convert(suite.getSpec(), EvaluationSpec.class)));
        assertEquals(s.getSpec().template.storage.claimName, suite.getSpec().storage.claimName);
    }
}
