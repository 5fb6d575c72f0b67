package dev.mmalign.operator.run;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.LossType;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.stage.ProgressReporting;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.run.AlignmentRunStatus;
import dev.mmalign.operator.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The train stage spec, the run's results and its evaluation suite (pure). */
class RunPlanTest {

    /** Guards the train spec: per-method defaults resolved, inputs and checkpoint folder, resume from latest. */
    @Test
    void trainSpec() {
        AlignmentRun run = Fixtures.run("ns", "sft", "prefs");
        run.getSpec().method = Method.SteerLM;
        run.getSpec().evaluation = Fixtures.evaluation();
        var spec = RunPlan.stageSpec(run, 3, new ResolvedModel("base", "models/llava", "mmalign/runs/x/adapter"),
                "mmalign/datasets/prefs/sets/steerLM.jsonl", "data/images", new ProgressReporting());
        assertEquals(StageName.train, spec.stage);
        assertEquals(3L, spec.owner.generation);
        assertEquals(4e-4, spec.run.training.learningRate);
        assertEquals(16, spec.run.training.perDeviceBatchSize);
        assertEquals(2048, spec.run.training.maxLength);
        assertNull(spec.run.evaluation);
        assertEquals("models/llava", spec.paths.inputs.get("model"));
        assertEquals("mmalign/runs/x/adapter", spec.paths.inputs.get("adapter"));
        assertEquals("mmalign/datasets/prefs/sets/steerLM.jsonl", spec.paths.inputs.get("dataset"));
        assertEquals("data/images", spec.paths.inputs.get("imageRoot"), "training-set images resolve like the prompts'");
        assertEquals("mmalign/runs/sft/checkpoints", spec.paths.checkpointDir);
        assertNull(spec.paths.resumeFrom);
        assertTrue(run.getSpec().evaluation != null, "the resource itself is not modified");
    }

    /** Guards that the train spec carries every LoRA and DPO default too: the trainer adds none of its own. */
    @Test
    void trainSpecResolvesLoraAndDpoDefaults() {
        AlignmentRun run = Fixtures.run("ns", "dpo", "prefs");
        run.getSpec().lora = null;
        run.getSpec().dpo = null;
        var spec = RunPlan.stageSpec(run, 1, new ResolvedModel("base", "models/llava", null),
                "mmalign/datasets/prefs/sets/dpo.jsonl", null, new ProgressReporting());
        assertEquals(128, spec.run.lora.rank);
        assertEquals(256.0, spec.run.lora.alpha);
        assertEquals(0.1, spec.run.dpo.beta);
        assertEquals(LossType.sigmoid, spec.run.dpo.lossType);
        assertEquals(876, spec.run.training.maxLength);
        assertEquals(3, spec.run.training.epochs);
        assertNull(run.getSpec().lora, "the resource's own spec is left as it is");
    }

    /** Guards the result contract: TRL metric names mapped to status fields, artifact paths, checkpoint. */
    @Test
    void resultsIntoStatus() {
        AlignmentRunStatus st = new AlignmentRunStatus();
        StageResult r = Fixtures.result(StageName.train, Map.of("checkpointStep", 300L),
                Map.of("train/loss", 0.4, "rewards/chosen", 1.2, "learning_rate", 1e-5, "grad_norm", 0.9),
                Map.of("adapter", "out/adapter", "checkpoint", "out/ckpt-300"));
        RunResults.applyFinal(st, "dpo", r);
        assertEquals(0.4, st.metrics.loss);
        assertEquals(1.2, st.metrics.rewardsChosen);
        assertEquals(1e-5, st.metrics.learningRate);
        assertEquals(0.9, st.metrics.gradNorm);
        assertEquals("out/adapter", st.output.adapterPath);
        assertEquals("mmalign/runs/dpo/merged", st.output.mergedModelPath);
        assertEquals(300L, st.latestCheckpoint.step);
        assertEquals("out/ckpt-300", st.latestCheckpoint.path);
    }

    /** Guards the owned evaluation suite: base (the baseline) vs. aligned (this run), owner reference, settings. */
    @Test
    void evaluationSuite() {
        AlignmentRun run = Fixtures.run("ns", "dpo", "prefs");
        run.getMetadata().setUid("u1");
        run.getSpec().evaluation = Fixtures.evaluation();
        run.getSpec().queueName = "q";
        BenchmarkSuite suite = EvaluationSuiteBuilder.build(run);
        assertEquals("dpo-eval", suite.getMetadata().getName());
        assertEquals("u1", suite.getMetadata().getOwnerReferences().get(0).getUid());
        assertEquals("base", suite.getSpec().baseline);
        assertEquals("models/tiny", suite.getSpec().models.get(0).path);
        assertEquals("dpo", suite.getSpec().models.get(1).alignmentRun);
        assertEquals(2, suite.getSpec().benchmarks.size());
        assertEquals("q", suite.getSpec().queueName);
    }
}
