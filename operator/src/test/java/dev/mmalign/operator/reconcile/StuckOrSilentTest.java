package dev.mmalign.operator.reconcile;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.common.ConditionTypes;
import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.common.StageState;
import dev.mmalign.api.dataset.DatasetPhase;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.RunPhase;
import dev.mmalign.operator.testing.Fixtures;
import dev.mmalign.operator.testing.OperatorTestBase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Resources that were accepted and then stuck or silently wrong: a dependency cycle between a run and a dataset, a
 * spec change to a running stage, a megabyte string in a spec. Against the mock API server.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class StuckOrSilentTest extends OperatorTestBase {

    /** Guards the case: a run training on the dataset it is the sampling model of fails, both sides naming
     * the cycle, instead of each waiting for the other forever. */
    @Test
    void aRunTrainingOnADatasetSampledFromItselfReportsTheCycle() {
        String ns = "cycle";
        PreferenceDataset ds = Fixtures.dataset(ns, "loop-ds");
        ds.getSpec().sampling.model = ModelSource.ofRun("loop");
        client.resource(ds).create();
        client.resource(Fixtures.run(ns, "loop", "loop-ds")).create();

        AlignmentRun run = awaitResource(AlignmentRun.class, ns, "loop",
                r -> r.getStatus() != null && r.getStatus().phase == RunPhase.Failed);
        Condition runFailed = condition(run.getStatus().conditions, ConditionTypes.FAILED).orElseThrow();
        assertEquals("DependencyCycle", runFailed.getReason());
        assertEquals("dependency cycle: AlignmentRun loop → PreferenceDataset loop-ds → AlignmentRun loop; change "
                + "one of them to break it", runFailed.getMessage());
        PreferenceDataset failed = awaitResource(PreferenceDataset.class, ns, "loop-ds",
                d -> d.getStatus() != null && d.getStatus().phase == DatasetPhase.Failed);
        assertEquals("DependencyCycle",
                condition(failed.getStatus().conditions, ConditionTypes.FAILED).orElseThrow().getReason());
        assertTrue(eventReasons(ns, "loop").contains("DependencyCycle"), eventReasons(ns, "loop").toString());
        assertTrue(kubelet.jobs(ns).isEmpty());
    }

    /** Guards that a spec change under a running Job is said, naming the changed fields, and no longer silent. */
    @Test
    void aSpecChangeToARunningStageIsReportedWithTheFields() {
        String ns = "running-change";
        client.resource(Fixtures.runOnFile(ns, "r")).create();
        kubelet.awaitJob(ns, "r-train-1");
        kubelet.start(ns, "r-train-1");
        awaitResource(AlignmentRun.class, ns, "r", r -> r.getStatus().phase == RunPhase.Training);

        edit(AlignmentRun.class, ns, "r", changed -> {
            changed.getSpec().training = new dev.mmalign.api.run.TrainingSpec();
            changed.getSpec().training.learningRate = 1e-4;
            changed.getSpec().dataFraction = 0.5;
            return changed;
        });

        AlignmentRun after = awaitResource(AlignmentRun.class, ns, "r", r -> r.getStatus().observedGeneration == 2
                && condition(r.getStatus().conditions, ConditionTypes.SPEC_CHANGE_PENDING).isPresent());
        Condition pending = condition(after.getStatus().conditions, ConditionTypes.SPEC_CHANGE_PENDING).orElseThrow();
        assertEquals("True", pending.getStatus());
        assertEquals("SpecChangeNotApplied", pending.getReason());
        assertTrue(pending.getMessage().startsWith("stage train (job r-train-1) runs the spec of generation 1; "
                + "changed since: spec.dataFraction, spec.training."), pending.getMessage());
        List<Event> warnings = events(ns, "r").stream()
                .filter(e -> "SpecChangeNotApplied".equals(e.getReason())).toList();
        assertEquals(1, warnings.size());
        assertEquals("Warning", warnings.get(0).getType());
        assertEquals(pending.getMessage(), warnings.get(0).getMessage());
        assertEquals(List.of("r-train-1"), kubelet.jobs(ns).stream().map(j -> j.getMetadata().getName()).toList(),
                "the running Job is kept");

        kubelet.fail(ns, "r-train-1", 0, 1, "boom", true, "BackoffLimitExceeded");
        AlignmentRun failed = awaitResource(AlignmentRun.class, ns, "r", r -> r.getStatus().stages.stream()
                .anyMatch(s -> s.phase == StageState.Phase.Failed || "r-train-2".equals(s.jobName)));
        assertFalse(condition(failed.getStatus().conditions, ConditionTypes.SPEC_CHANGE_PENDING).isPresent(),
                "no stage runs an old spec any more");
    }

    /** Guards that a megabyte string copied from a spec into messages is elided in the status and Events: the
     * status stays writable, and one huge value does not hide the other errors. */
    @Test
    void aMegabyteStringIsElidedInStatusAndEvents() {
        String ns = "huge";
        String huge = "M" + "x".repeat(1_000_000); // not a DNS label: echoed in the error
        var suite = Fixtures.suite(ns, "big", List.of(Fixtures.modelAt(huge, "models/tiny")));
        suite.getSpec().baseline = "nobody";
        client.resource(suite).create();
        BenchmarkSuite failed = awaitResource(BenchmarkSuite.class, ns, "big",
                b -> b.getStatus() != null && isTrue(b.getStatus().conditions, ConditionTypes.FAILED));
        Condition c = condition(failed.getStatus().conditions, ConditionTypes.FAILED).orElseThrow();
        assertEquals("InvalidSpec", c.getReason());
        assertTrue(c.getMessage().length() < 1100, c.getMessage().length() + " characters");
        assertTrue(c.getMessage().contains("characters left out)…"), c.getMessage());
        assertTrue(c.getMessage().contains("xxx is not a DNS label"), c.getMessage());
        assertTrue(c.getMessage().contains("baseline nobody must name one of models"), c.getMessage());
        List<Event> events = events(ns, "big");
        assertFalse(events.isEmpty());
        for (Event e : events) {
            assertTrue(e.getMessage().length() <= 1100, e.getReason() + ": " + e.getMessage().length());
        }
    }
}
