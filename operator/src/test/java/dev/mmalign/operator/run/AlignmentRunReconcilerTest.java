package dev.mmalign.operator.run;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.common.ConditionTypes;
import dev.mmalign.api.common.Progress;
import dev.mmalign.api.common.StageState;
import dev.mmalign.api.dataset.DatasetPhase;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.run.RunPhase;
import dev.mmalign.api.run.TrainingMetrics;
import dev.mmalign.api.run.TrainingSet;
import dev.mmalign.api.stage.PodContract;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.operator.k8s.Json;
import dev.mmalign.operator.k8s.Labels;
import dev.mmalign.operator.testing.Fixtures;
import dev.mmalign.operator.testing.OperatorTestBase;
import dev.mmalign.operator.testing.PrinterTable;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.mmalign.operator.testing.Fixtures.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AlignmentRun against the mock API server, the test playing the Job controller, the kubelet and the pods. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class AlignmentRunReconcilerTest extends OperatorTestBase {

    @Inject
    AlignmentRunReconciler reconciler;

    private void reportProgress(String ns, String run, long step, long total, double loss) {
        // What the trainer's reporter does: a JSON merge patch of its own fields, without resourceVersion, so it
        // never conflicts with the operator's status writes.
        Progress p = new Progress();
        p.stage = "train";
        p.current = step;
        p.total = total;
        p.percent = 100.0 * step / total;
        TrainingMetrics m = new TrainingMetrics();
        m.loss = loss;
        client.resources(AlignmentRun.class).inNamespace(ns).withName(run).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE),
                        Json.write(Map.of("status", Map.of("progress", p, "metrics", m))));
    }

    /** Guards the full life of a run: WaitingForDataset (reason DatasetNotReady) → Training (one GPU Job, progress
     * from the pod) → Evaluating (an owned BenchmarkSuite, base vs. aligned) → Succeeded with output paths and the
     * suite's headline scores mirrored. */
    @Test
    void happyPathWaitsForDatasetTrainsEvaluatesAndMirrorsScores() throws Exception {
        String ns = "run-happy";
        client.resource(Fixtures.dataset(ns, "prefs")).create();
        AlignmentRun spec = Fixtures.run(ns, "dpo", "prefs");
        spec.getSpec().evaluation = Fixtures.evaluation();
        AlignmentRun created = client.resource(spec).create();

        AlignmentRun waiting = awaitResource(AlignmentRun.class, ns, "dpo", r -> r.getStatus() != null
                && r.getStatus().phase == RunPhase.WaitingForDataset);
        var progressing = condition(waiting.getStatus().conditions, ConditionTypes.PROGRESSING).orElseThrow();
        assertEquals("DatasetNotReady", progressing.getReason());
        assertTrue(progressing.getMessage().contains("PreferenceDataset prefs"), progressing.getMessage());
        assertTrue(kubelet.jobs(ns).stream().noneMatch(j -> j.getMetadata().getName().startsWith("dpo-")));

        driveDatasetToReady(ns, "prefs");
        Job train = kubelet.awaitJob(ns, "dpo-train-1");
        assertEquals("2", train.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits()
                .get("nvidia.com/gpu").getAmount());
        StageSpec stageSpec = Json.MAPPER.readValue(client.configMaps().inNamespace(ns).withName("dpo-train-1-spec")
                .get().getData().get(PodContract.SPEC_KEY), StageSpec.class);
        assertEquals("mmalign/datasets/prefs/sets/dpo.jsonl", stageSpec.paths.inputs.get("dataset"));
        assertEquals("mmalign/runs/dpo/checkpoints", stageSpec.paths.checkpointDir);
        assertNull(stageSpec.paths.resumeFrom, "resume from the latest checkpoint in checkpointDir");
        assertEquals(5e-5, stageSpec.run.training.learningRate, "per-method defaults resolved by the operator");
        assertNull(stageSpec.run.evaluation);

        kubelet.start(ns, "dpo-train-1");
        reportProgress(ns, "dpo", 40, 120, 0.52);
        awaitResource(AlignmentRun.class, ns, "dpo", r -> r.getStatus().phase == RunPhase.Training);

        kubelet.succeed(ns, "dpo-train-1", 0, result(StageName.train, Map.of("checkpointStep", 120L),
                Map.of("loss", 0.41, "rewards/accuracies", 0.78, "rewards/margins", 1.9),
                Map.of("adapter", "mmalign/runs/dpo/adapter", "merged", "mmalign/runs/dpo/merged",
                        "checkpoint", "mmalign/runs/dpo/checkpoints/step-120")));
        AlignmentRun evaluating = awaitResource(AlignmentRun.class, ns, "dpo",
                r -> r.getStatus().phase == RunPhase.Evaluating);
        assertEquals("dpo-eval", evaluating.getStatus().benchmarkSuite);
        assertEquals("mmalign/runs/dpo/adapter", evaluating.getStatus().output.adapterPath);
        assertEquals(0.78, evaluating.getStatus().metrics.rewardsAccuracies);
        assertEquals(120L, evaluating.getStatus().latestCheckpoint.step);
        assertEquals(2 * 60L, evaluating.getStatus().gpuSeconds, "2 GPUs x 60 s pod");

        BenchmarkSuite suite = get(BenchmarkSuite.class, ns, "dpo-eval");
        assertEquals(created.getMetadata().getUid(), suite.getMetadata().getOwnerReferences().get(0).getUid());
        assertEquals(List.of("base", "aligned"), suite.getSpec().models.stream().map(m -> m.name).toList());
        kubelet.awaitJob(ns, "dpo-eval-evaluate-base-1");
        kubelet.awaitJob(ns, "dpo-eval-evaluate-aligned-1");
        kubelet.start(ns, "dpo-eval-evaluate-base-1");
        kubelet.succeed(ns, "dpo-eval-evaluate-base-1", 0, Fixtures.scores(0.859, 0.40));
        kubelet.start(ns, "dpo-eval-evaluate-aligned-1");
        kubelet.succeed(ns, "dpo-eval-evaluate-aligned-1", 0, Fixtures.scores(0.870, 0.46));
        kubelet.awaitJob(ns, "dpo-eval-report-1");
        kubelet.start(ns, "dpo-eval-report-1");
        kubelet.succeed(ns, "dpo-eval-report-1", 0, result(StageName.evaluate, Map.of(), Map.of(), Map.of()));

        AlignmentRun done = awaitResource(AlignmentRun.class, ns, "dpo", r -> r.getStatus().phase == RunPhase.Succeeded);
        var st = done.getStatus();
        assertTrue(ready(st.conditions));
        assertEquals("Evaluated", condition(st.conditions, ConditionTypes.READY).get().getReason());
        assertEquals(2, st.evaluation.size());
        assertTrue(st.evaluation.stream().allMatch(r -> "aligned".equals(r.model)));
        var pope = st.evaluation.stream().filter(r -> r.benchmark.equals("pope")).findFirst().orElseThrow();
        assertEquals("f1", pope.metric);
        assertEquals(0.011, pope.delta, 1e-9);
        assertEquals(List.of("train", "evaluate"), st.stages.stream().map(s -> s.name).toList());
        assertTrue(st.stages.stream().allMatch(s -> s.phase == StageState.Phase.Succeeded));
        assertEquals(100.0, st.progress.percent);
        assertEquals(1, kubelet.jobs(ns).stream().filter(j -> j.getMetadata().getName().startsWith("dpo-train"))
                .count());
        List<String> reasons = eventReasons(ns, "dpo");
        assertTrue(reasons.containsAll(List.of("DatasetNotReady", "Training", "Evaluating", "Evaluated")),
                reasons.toString());
        PrinterTable.save("alignmentruns.txt", List.of(done), false);
        PrinterTable.save("alignmentruns-wide.txt", List.of(done), true);
        PrinterTable.save("benchmarksuites-owned.txt", List.of(get(BenchmarkSuite.class, ns, "dpo-eval")), true);
    }

    /** Guards waiting on a dataset that is not there, then fails, then is fixed: no train Job while it is missing
     * (WaitingForDataset, DatasetNotFound, Progressing True); when it fails the run is blocked, not failed (reason
     * DatasetFailed naming the dataset and its own failure message, Progressing False, Failed False, no Job); once
     * the dataset is fixed (a spec change) and Ready, the run trains. */
    @Test
    void runWaitsForAMissingDatasetIsBlockedByAFailedOneAndRecoversWhenItIsFixed() {
        String ns = "run-nodata";
        client.resource(Fixtures.run(ns, "orphan", "missing")).create();
        AlignmentRun run = awaitResource(AlignmentRun.class, ns, "orphan", r -> r.getStatus() != null
                && r.getStatus().phase == RunPhase.WaitingForDataset);
        assertEquals("DatasetNotFound", condition(run.getStatus().conditions, ConditionTypes.PROGRESSING)
                .orElseThrow().getReason());
        assertFalse(ready(run.getStatus().conditions));
        assertEquals(0, kubelet.jobs(ns).size());

        assertTrue(isTrue(run.getStatus().conditions, ConditionTypes.PROGRESSING), "waiting is progressing");

        // The dataset appears but fails (bad spec): the run is blocked, says by what, and has not failed itself.
        PreferenceDataset broken = Fixtures.dataset(ns, "missing");
        String claim = broken.getSpec().storage.claimName;
        broken.getSpec().storage.claimName = null;
        client.resource(broken).create();
        PreferenceDataset failed = awaitResource(PreferenceDataset.class, ns, "missing",
                d -> d.getStatus() != null && d.getStatus().phase == DatasetPhase.Failed);
        String datasetMessage = condition(failed.getStatus().conditions, ConditionTypes.FAILED).orElseThrow()
                .getMessage();
        AlignmentRun blocked = awaitResource(AlignmentRun.class, ns, "orphan", r -> condition(r.getStatus().conditions,
                ConditionTypes.PROGRESSING).map(c -> "DatasetFailed".equals(c.getReason())).orElse(false));
        var st = blocked.getStatus();
        assertEquals(RunPhase.WaitingForDataset, st.phase);
        var progressing = condition(st.conditions, ConditionTypes.PROGRESSING).orElseThrow();
        assertEquals("False", progressing.getStatus(), "blocked: nothing progresses");
        assertTrue(progressing.getMessage().contains("PreferenceDataset missing failed"), progressing.getMessage());
        assertTrue(progressing.getMessage().contains(datasetMessage), progressing.getMessage());
        assertEquals(blocked.getMetadata().getGeneration(), progressing.getObservedGeneration());
        var failedCondition = condition(st.conditions, ConditionTypes.FAILED).orElseThrow();
        assertEquals("False", failedCondition.getStatus(), "the run itself has not failed");
        assertEquals("DatasetFailed", failedCondition.getReason());
        assertFalse(ready(st.conditions));
        assertNull(st.completionTime);
        assertEquals(0, kubelet.jobs(ns).stream().filter(j -> j.getMetadata().getName().startsWith("orphan-")).count());

        // The dataset is fixed (generation 2 reruns it) and becomes Ready: the run goes on and trains.
        edit(PreferenceDataset.class, ns, "missing", d -> {
            d.getSpec().storage.claimName = claim;
            return d;
        });
        driveDatasetToReady(ns, "missing", 2);
        kubelet.awaitJob(ns, "orphan-train-1");
        kubelet.start(ns, "orphan-train-1");
        AlignmentRun training = awaitResource(AlignmentRun.class, ns, "orphan",
                r -> r.getStatus().phase == RunPhase.Training);
        assertTrue(isTrue(training.getStatus().conditions, ConditionTypes.PROGRESSING));
        assertEquals("Training", condition(training.getStatus().conditions, ConditionTypes.PROGRESSING).get()
                .getReason());
    }

    /** Guards suspend/resume: spec.suspend suspends the running Job (phase Suspended, condition Suspended); unsetting
     * it unsuspends the same Job, whose pod resumes from the latest checkpoint (resumeFrom unset). */
    @Test
    void suspendAndResumeTheSameJob() {
        String ns = "run-suspend";
        AlignmentRun run = Fixtures.runOnFile(ns, "pausable");
        client.resource(run).create();
        kubelet.awaitJob(ns, "pausable-train-1");
        kubelet.start(ns, "pausable-train-1");
        reportProgress(ns, "pausable", 10, 100, 0.6);
        awaitResource(AlignmentRun.class, ns, "pausable", r -> r.getStatus().phase == RunPhase.Training);

        edit(AlignmentRun.class, ns, "pausable", r -> {
            r.getSpec().suspend = true;
            return r;
        });
        AlignmentRun suspended = awaitResource(AlignmentRun.class, ns, "pausable",
                r -> r.getStatus().phase == RunPhase.Suspended);
        Job job = client.batch().v1().jobs().inNamespace(ns).withName("pausable-train-1").get();
        assertEquals(Boolean.TRUE, job.getSpec().getSuspend());
        assertEquals("SuspendedBySpec", condition(suspended.getStatus().conditions, ConditionTypes.SUSPENDED)
                .orElseThrow().getReason());
        assertTrue(isTrue(suspended.getStatus().conditions, ConditionTypes.SUSPENDED));
        kubelet.suspendPods(ns, "pausable-train-1");

        edit(AlignmentRun.class, ns, "pausable", r -> {
            r.getSpec().suspend = false;
            return r;
        });
        awaitResource(AlignmentRun.class, ns, "pausable", r -> r.getStatus().phase == RunPhase.Training);
        job = client.batch().v1().jobs().inNamespace(ns).withName("pausable-train-1").get();
        assertEquals(Boolean.FALSE, job.getSpec().getSuspend());
        assertEquals(1, kubelet.jobs(ns).size(), "resumed, not recreated");
        AlignmentRun resumed = get(AlignmentRun.class, ns, "pausable");
        assertFalse(isTrue(resumed.getStatus().conditions, ConditionTypes.SUSPENDED));
        assertEquals(10L, resumed.getStatus().progress.current, "the pod's progress survives operator writes");
    }

    /** Guards Kueue integration: with queueName the Job is created suspended and labelled, the run is Queued until
     * Kueue admits (unsuspends) it. */
    @Test
    void queuedRunWaitsForKueueAdmission() {
        String ns = "run-kueue";
        AlignmentRun run = Fixtures.runOnFile(ns, "queued");
        run.getSpec().queueName = "gpu-queue";
        client.resource(run).create();
        Job job = kubelet.awaitJob(ns, "queued-train-1");
        assertEquals(Boolean.TRUE, job.getSpec().getSuspend());
        assertEquals("gpu-queue", job.getMetadata().getLabels().get(Labels.KUEUE_QUEUE));
        AlignmentRun queued = awaitResource(AlignmentRun.class, ns, "queued",
                r -> r.getStatus().phase == RunPhase.Queued);
        assertEquals("QueuedByKueue", condition(queued.getStatus().conditions, ConditionTypes.PROGRESSING)
                .orElseThrow().getReason());

        edit(io.fabric8.kubernetes.api.model.batch.v1.Job.class, ns, "queued-train-1", j -> {
            j.getSpec().setSuspend(false); // Kueue admits the workload
            return j;
        });
        kubelet.start(ns, "queued-train-1");
        awaitResource(AlignmentRun.class, ns, "queued", r -> r.getStatus().phase == RunPhase.Training);
    }

    /** Guards an operator restart mid-training: reconciling a stale copy finds the Job (no duplicate), and training
     * goes on to Succeeded with the pod's progress kept. Also guards a retryable failure followed by success. */
    @Test
    void restartAndRetryMidTraining() {
        String ns = "run-restart";
        AlignmentRun run = Fixtures.runOnFile(ns, "long");
        AlignmentRun created = client.resource(run).create();
        kubelet.awaitJob(ns, "long-train-1");
        kubelet.start(ns, "long-train-1");
        reportProgress(ns, "long", 7, 100, 0.7);
        awaitResource(AlignmentRun.class, ns, "long", r -> r.getStatus().phase == RunPhase.Training);

        AlignmentRun stale = Json.convert(created, AlignmentRun.class);
        stale.setStatus(null);
        reconciler.decide(stale);
        var status = stale.getStatus();
        assertEquals(RunPhase.Training, status.phase);
        assertEquals(1, kubelet.jobs(ns).size());

        kubelet.fail(ns, "long-train-1", 0, 137, "OOMKilled", false, null);
        AlignmentRun retrying = awaitResource(AlignmentRun.class, ns, "long",
                r -> r.getStatus().stages.get(0).failedAttempts != null && r.getStatus().stages.get(0).failedAttempts == 1);
        assertEquals("retrying after exit code 137: OOMKilled", retrying.getStatus().stages.get(0).message);
        kubelet.retry(ns, "long-train-1", 0);
        kubelet.succeed(ns, "long-train-1", 0, result(StageName.train, Map.of(), Map.of("loss", 0.3), Map.of()));
        AlignmentRun done = awaitResource(AlignmentRun.class, ns, "long",
                r -> r.getStatus().phase == RunPhase.Succeeded);
        assertEquals(2, done.getStatus().attempts);
        assertEquals(100.0, done.getStatus().progress.percent);
        assertEquals(1, kubelet.jobs(ns).size());
    }

    /** Guards permanent failure after retries: BackoffLimitExceeded fails the run with the last exit code. */
    @Test
    void backoffLimitExceededFailsTheRun() {
        String ns = "run-fail";
        AlignmentRun run = Fixtures.runOnFile(ns, "doomed");
        client.resource(run).create();
        kubelet.awaitJob(ns, "doomed-train-1");
        kubelet.start(ns, "doomed-train-1");
        kubelet.fail(ns, "doomed-train-1", 0, 1, "NCCL timeout", true, "BackoffLimitExceeded");
        AlignmentRun failed = awaitResource(AlignmentRun.class, ns, "doomed",
                r -> r.getStatus().phase == RunPhase.Failed);
        var cond = condition(failed.getStatus().conditions, ConditionTypes.FAILED).orElseThrow();
        assertEquals("JobFailed", cond.getReason());
        assertEquals("stage train: exit code 1: NCCL timeout", cond.getMessage());
        assertTrue(failed.getStatus().completionTime != null);
    }

    /** Guards validation of cross-field rules (CEL on a real cluster): a DPO run on an SFT set is rejected. */
    @Test
    void badSpecIsRejected() {
        String ns = "run-bad";
        AlignmentRun run = Fixtures.run(ns, "wrong", "prefs");
        run.getSpec().method = Method.DPO;
        run.getSpec().dataset.trainingSet = TrainingSet.steerLM;
        client.resource(run).create();
        AlignmentRun failed = awaitResource(AlignmentRun.class, ns, "wrong",
                r -> r.getStatus() != null && r.getStatus().phase == RunPhase.Failed);
        var cond = condition(failed.getStatus().conditions, ConditionTypes.FAILED).orElseThrow();
        assertEquals("InvalidSpec", cond.getReason());
        assertEquals("method DPO requires a preference (dpo) training set", cond.getMessage());
        assertEquals(0, kubelet.jobs(ns).size());
    }


    /** LLaVA-1.5-13B's shape (llava-hf config.json, the fields the planner reads). */
    static final String LLAVA_13B = """
            {"text_config": {"hidden_size": 5120, "intermediate_size": 13824, "num_hidden_layers": 40,
              "num_attention_heads": 40, "num_key_value_heads": 40, "vocab_size": 32064},
             "vision_config": {"hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 24,
              "num_attention_heads": 16, "image_size": 336, "patch_size": 14},
             "vision_feature_layer": -2}
            """;

    @Test
    void runWhoseMemoryPlanExceedsTheGpuIsHeldBackBeforeAnyPodAndStartsOnceItFits() {
        String ns = "run-memory";
        client.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("llava-13b")
                .withNamespace(ns).endMetadata().addToData("config.json", LLAVA_13B).build()).create();
        AlignmentRun run = Fixtures.runOnFile(ns, "big");
        run.getSpec().baseModel.configMap = "llava-13b";
        run.getSpec().training.perDeviceBatchSize = 8;
        run.getSpec().training.activationCheckpointing = false;
        client.resource(run).create();

        AlignmentRun held = awaitResource(AlignmentRun.class, ns, "big", r -> r.getStatus() != null
                && condition(r.getStatus().conditions, ConditionTypes.PROGRESSING).map(c -> c.getReason())
                .orElse("").equals("InsufficientGpuMemory"));
        var progressing = condition(held.getStatus().conditions, ConditionTypes.PROGRESSING).orElseThrow();
        assertEquals("False", progressing.getStatus());
        assertFalse(isTrue(held.getStatus().conditions, ConditionTypes.FAILED), "held back, not failed");
        for (String part : List.of("of 80.0 GiB per GPU", "weights", "trainable+optimiser", "activations",
                "backward peak", "workspace")) {
            assertTrue(progressing.getMessage().contains(part), part + " in " + progressing.getMessage());
        }
        assertEquals(0, kubelet.jobs(ns).size(), "no pod before the plan fits");
        var checked = condition(held.getStatus().conditions, ConditionTypes.MEMORY_CHECKED).orElseThrow();
        assertEquals("False", checked.getStatus());
        assertEquals("InsufficientGpuMemory", checked.getReason());

        // Checkpointing and a smaller batch per device: the run fits and trains.
        edit(AlignmentRun.class, ns, "big", r -> {
                    r.getSpec().training.activationCheckpointing = true;
                    r.getSpec().training.perDeviceBatchSize = 1;
                    return r;
                });
        awaitResource(AlignmentRun.class, ns, "big", r -> r.getStatus().stages != null && r.getStatus().stages.stream()
                .anyMatch(st -> st.jobName != null));
        assertEquals(1, kubelet.jobs(ns).size());
    }

    @Test
    void missingModelConfigMapBlocksTheRunAndWithoutOneTheCheckIsSkipped() {
        String ns = "run-memory-config";
        AlignmentRun run = Fixtures.runOnFile(ns, "noconfig");
        run.getSpec().baseModel.configMap = "absent";
        client.resource(run).create();
        AlignmentRun held = awaitResource(AlignmentRun.class, ns, "noconfig", r -> r.getStatus() != null
                && condition(r.getStatus().conditions, ConditionTypes.PROGRESSING).map(c -> c.getReason())
                .orElse("").equals("ModelConfigNotFound"));
        assertTrue(condition(held.getStatus().conditions, ConditionTypes.PROGRESSING).orElseThrow().getMessage()
                .contains("ConfigMap absent"));
        assertEquals(0, kubelet.jobs(ns).size());

        client.resource(Fixtures.runOnFile(ns, "unchecked")).create(); // no configMap: planned by nobody, trains
        kubelet.awaitJob(ns, "unchecked-train-1");
    }
}
