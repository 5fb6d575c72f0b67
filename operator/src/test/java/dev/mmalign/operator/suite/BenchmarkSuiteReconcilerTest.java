package dev.mmalign.operator.suite;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.bench.SuitePhase;
import dev.mmalign.api.common.ConditionTypes;
import dev.mmalign.api.common.StageState;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.RunPhase;
import dev.mmalign.api.stage.PodContract;
import dev.mmalign.api.stage.StageInputs;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.api.stage.TerminationMessage;
import dev.mmalign.operator.k8s.Json;
import dev.mmalign.operator.testing.Fixtures;
import dev.mmalign.operator.testing.OperatorTestBase;
import dev.mmalign.operator.testing.PrinterTable;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.mmalign.operator.testing.Fixtures.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BenchmarkSuite against the mock API server, the test playing the Job controller and the kubelet. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class BenchmarkSuiteReconcilerTest extends OperatorTestBase {

    /** Guards the suite's life: a model at a path is evaluated at once while the AlignmentRun model is waited for
     * (WaitingForModels); once the run has trained, its Job starts with base + adapter; then the report Job; status
     * holds headline scores with deltas against the baseline and the report path. */
    @Test
    void happyPathWaitsForTheRunThenAggregatesScoresAndDeltas() throws Exception {
        String ns = "suite-happy";
        client.resource(Fixtures.suite(ns, "table2", List.of(Fixtures.modelAt("llava", "models/llava-1.5-13b"),
                Fixtures.modelOfRun("dpo", "dpo-run")))).create();

        kubelet.awaitJob(ns, "table2-evaluate-llava-1");
        kubelet.start(ns, "table2-evaluate-llava-1");
        kubelet.succeed(ns, "table2-evaluate-llava-1", 0, Fixtures.scores(0.859, 0.40));
        BenchmarkSuite waiting = awaitResource(BenchmarkSuite.class, ns, "table2",
                s -> s.getStatus() != null && s.getStatus().phase == SuitePhase.WaitingForModels);
        assertEquals("1/2", waiting.getStatus().modelsDone);
        var cond = condition(waiting.getStatus().conditions, ConditionTypes.PROGRESSING).orElseThrow();
        assertEquals("ModelsNotReady", cond.getReason());
        assertTrue(cond.getMessage().contains("AlignmentRun dpo-run does not exist"), cond.getMessage());

        AlignmentRun run = Fixtures.runOnFile(ns, "dpo-run");
        client.resource(run).create();
        kubelet.awaitJob(ns, "dpo-run-train-1");
        kubelet.start(ns, "dpo-run-train-1");
        kubelet.succeed(ns, "dpo-run-train-1", 0, result(StageName.train, Map.of(), Map.of(),
                Map.of("adapter", "mmalign/runs/dpo-run/adapter")));
        awaitResource(AlignmentRun.class, ns, "dpo-run", r -> r.getStatus().phase == RunPhase.Succeeded);

        kubelet.awaitJob(ns, "table2-evaluate-dpo-1");
        StageSpec spec = Json.MAPPER.readValue(client.configMaps().inNamespace(ns)
                .withName("table2-evaluate-dpo-1-spec").get().getData().get(PodContract.SPEC_KEY), StageSpec.class);
        assertEquals("models/tiny", spec.models.get(0).path);
        assertEquals("mmalign/runs/dpo-run/adapter", spec.models.get(0).adapterPath);
        assertEquals("mmalign/suites/table2/models/dpo", spec.paths.outputDir);
        kubelet.start(ns, "table2-evaluate-dpo-1");
        kubelet.succeed(ns, "table2-evaluate-dpo-1", 0, Fixtures.scores(0.870, 0.46));

        kubelet.awaitJob(ns, "table2-report-1");
        StageSpec report = Json.MAPPER.readValue(client.configMaps().inNamespace(ns)
                .withName("table2-report-1-spec").get().getData().get(PodContract.SPEC_KEY), StageSpec.class);
        assertEquals("mmalign/suites/table2/models", report.paths.inputs.get(StageInputs.RESULTS));
        assertNull(report.reportDatasets, "its run trained on a file, not a dataset");
        assertNull(report.judge);
        kubelet.start(ns, "table2-report-1");
        kubelet.succeed(ns, "table2-report-1", 0, result(StageName.evaluate, Map.of(), Map.of(),
                Map.of("results", "mmalign/suites/table2/results.json", "report", "mmalign/suites/table2/report.html")));

        BenchmarkSuite done = awaitResource(BenchmarkSuite.class, ns, "table2",
                s -> s.getStatus().phase == SuitePhase.Succeeded);
        var st = done.getStatus();
        assertTrue(ready(st.conditions));
        assertEquals("2/2", st.modelsDone);
        assertEquals("mmalign/suites/table2/report.html", st.reportPath);
        assertEquals("mmalign/suites/table2/results.json", st.resultsPath);
        assertEquals(4, st.results.size());
        var dpoPope = st.results.stream().filter(r -> r.model.equals("dpo") && r.benchmark.equals("pope"))
                .findFirst().orElseThrow();
        assertEquals(0.011, dpoPope.delta, 1e-9);
        assertEquals(100L, dpoPope.n);
        assertEquals(0.0, st.results.get(0).delta);
        assertEquals(List.of("evaluate-llava", "evaluate-dpo", "report"),
                st.stages.stream().map(s -> s.name).toList());
        assertTrue(st.stages.stream().allMatch(s -> s.phase == StageState.Phase.Succeeded));
        PrinterTable.save("benchmarksuites.txt", List.of(done), false);
        PrinterTable.save("benchmarksuites-wide.txt", List.of(done), true);
    }

    /** Guards a suite whose model's run failed: blocked, not failed (WaitingForModels, Progressing False with reason
     * AlignmentRunFailed naming the run and its failure, Failed False, no Job for that model); once the run is fixed
     * (a spec change reruns its training) and trained, the suite evaluates it. */
    @Test
    void modelOfAFailedRunBlocksTheSuiteUntilTheRunIsFixed() {
        String ns = "suite-blocked";
        AlignmentRun run = Fixtures.runOnFile(ns, "bad-run");
        client.resource(run).create();
        kubelet.awaitJob(ns, "bad-run-train-1");
        kubelet.start(ns, "bad-run-train-1");
        kubelet.fail(ns, "bad-run-train-1", 0, 2, TerminationMessage.encode(
                Fixtures.failure(StageName.train, "sets/dpo.jsonl line 7: missing field \"chosen\"")),
                true, "PodFailurePolicy");
        awaitResource(AlignmentRun.class, ns, "bad-run", r -> r.getStatus() != null
                && r.getStatus().phase == RunPhase.Failed);
        client.resource(Fixtures.suite(ns, "cmp", List.of(Fixtures.modelOfRun("dpo", "bad-run")))).create();

        BenchmarkSuite blocked = awaitResource(BenchmarkSuite.class, ns, "cmp", s -> s.getStatus() != null
                && condition(s.getStatus().conditions, ConditionTypes.PROGRESSING)
                .map(c -> "AlignmentRunFailed".equals(c.getReason())).orElse(false));
        assertEquals(SuitePhase.WaitingForModels, blocked.getStatus().phase);
        var progressing = condition(blocked.getStatus().conditions, ConditionTypes.PROGRESSING).orElseThrow();
        assertEquals("False", progressing.getStatus());
        assertTrue(progressing.getMessage().contains("AlignmentRun bad-run failed"), progressing.getMessage());
        assertTrue(progressing.getMessage().contains("sets/dpo.jsonl line 7"), progressing.getMessage());
        assertEquals("False", condition(blocked.getStatus().conditions, ConditionTypes.FAILED).orElseThrow()
                .getStatus(), "the suite itself has not failed");
        assertTrue(kubelet.jobs(ns).stream().noneMatch(j -> j.getMetadata().getName().startsWith("cmp-")));

        // The run is fixed: its training reruns (generation 2) and succeeds; the suite evaluates it.
        edit(AlignmentRun.class, ns, "bad-run", r -> {
            r.getSpec().dataset.path = "sets/dpo-fixed.jsonl";
            return r;
        });
        kubelet.awaitJob(ns, "bad-run-train-2");
        kubelet.start(ns, "bad-run-train-2");
        kubelet.succeed(ns, "bad-run-train-2", 0, result(StageName.train, Map.of(), Map.of(),
                Map.of("adapter", "mmalign/runs/bad-run/adapter")));
        kubelet.awaitJob(ns, "cmp-evaluate-dpo-1");
        BenchmarkSuite running = awaitResource(BenchmarkSuite.class, ns, "cmp",
                s -> s.getStatus().phase == SuitePhase.Running);
        assertTrue(isTrue(running.getStatus().conditions, ConditionTypes.PROGRESSING));
    }

    /** Guards a model's evaluation failing with exit 2: the suite fails with the pod's message. */
    @Test
    void invalidBenchmarkFileFailsTheSuite() {
        String ns = "suite-fail";
        client.resource(Fixtures.suite(ns, "broken", List.of(Fixtures.modelAt("base", "models/tiny")))).create();
        kubelet.awaitJob(ns, "broken-evaluate-base-1");
        kubelet.start(ns, "broken-evaluate-base-1");
        kubelet.fail(ns, "broken-evaluate-base-1", 0, 2, TerminationMessage.encode(
                Fixtures.failure(StageName.evaluate, "bench/pope.jsonl line 3: unknown label \"maybe\"")),
                true, "PodFailurePolicy");
        BenchmarkSuite failed = awaitResource(BenchmarkSuite.class, ns, "broken",
                s -> s.getStatus() != null && s.getStatus().phase == SuitePhase.Failed);
        assertEquals("stage evaluate-base: exit code 2: bench/pope.jsonl line 3: unknown label \"maybe\"",
                condition(failed.getStatus().conditions, ConditionTypes.FAILED).orElseThrow().getMessage());
    }

    /** Guards validation: judge-scored benchmarks without a judge, and a baseline that is not a model. */
    @Test
    void badSpecIsRejected() {
        String ns = "suite-bad";
        BenchmarkSuite suite = Fixtures.suite(ns, "nojudge", List.of(Fixtures.modelAt("base", "models/tiny")));
        suite.getSpec().benchmarks = List.of(Fixtures.benchmark(dev.mmalign.api.bench.BenchmarkName.MT_BENCH));
        suite.getSpec().baseline = "nobody";
        client.resource(suite).create();
        BenchmarkSuite failed = awaitResource(BenchmarkSuite.class, ns, "nojudge",
                s -> s.getStatus() != null && s.getStatus().phase == SuitePhase.Failed);
        var cond = condition(failed.getStatus().conditions, ConditionTypes.FAILED).orElseThrow();
        assertEquals("InvalidSpec", cond.getReason());
        assertTrue(cond.getMessage().contains("baseline nobody must name one of models"), cond.getMessage());
        assertTrue(cond.getMessage().contains("mt-bench is judge-scored"), cond.getMessage());
        assertEquals(0, kubelet.jobs(ns).size());
    }
}
