package dev.mmalign.trainer.stage;

import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.api.bench.BenchmarkSpec;
import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.dataset.PromptsSpec;
import dev.mmalign.api.dataset.SamplingSpec;
import dev.mmalign.api.run.Precision;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.evaluate.EvaluateStage;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.sample.SampleStage;
import dev.mmalign.trainer.synthetic.SyntheticWorld;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards the precision fields of the generating stages: sample ({@code spec.sampling.precision}) and evaluate (the
 * suite's {@code spec.precision}) load their model with fp16-stored weights by default, fp32 when asked, and refuse
 * bf16 with exit 2 naming the field, before any model is loaded.
 */
class GenerationPrecisionStagesTest {

    @TempDir
    Path root;
    StageFixture fx;
    final RecordingLoader loader = new RecordingLoader();

    /** Records the precision each load asks for; a load without one is a bug in the stage. */
    static final class RecordingLoader implements PolicyModelLoader {
        final List<Boolean> halfWeights = new ArrayList<>();
        final FakePolicyModel model = new FakePolicyModel();

        @Override
        public PolicyModel load(Path modelDir, Path adapterDir) {
            throw new AssertionError("loaded without saying the precision");
        }

        @Override
        public PolicyModel load(Path modelDir, Path adapterDir, boolean half) {
            halfWeights.add(half);
            return model;
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        fx = new StageFixture(root);
        fx.writeJsonl("in/prompts.jsonl", List.of(new PromptRecord("t0", null, "a question", null, null, null)));
        SyntheticWorld.write(root.resolve("world"), new SyntheticWorld.Config(0, 6, 0, 8, 32, 3, 3));
    }

    private StageSpec sample(Precision precision) {
        StageSpec spec = fx.spec(StageName.sample, "ds/completions");
        spec.prompts = new PromptsSpec();
        spec.prompts.path = "in/prompts.jsonl";
        spec.sampling = new SamplingSpec();
        spec.sampling.model = ModelSource.ofPath("models/base");
        spec.sampling.completionsPerPrompt = 2;
        spec.sampling.precision = precision;
        spec.paths.inputs.put("prompts", "ds/prompts.jsonl");
        return spec;
    }

    private StageSpec evaluate(Precision precision) {
        StageSpec spec = fx.spec(StageName.evaluate, "suite");
        spec.models = List.of(new ResolvedModel("base", "models/base", null));
        BenchmarkSpec pope = new BenchmarkSpec();
        pope.name = BenchmarkName.POPE;
        pope.dataPath = "world/pope-heldout.jsonl";
        pope.imageRoot = "world/images";
        spec.benchmarks = List.of(pope);
        spec.evaluationPrecision = precision;
        return spec;
    }

    private int runEvaluate(StageSpec spec) throws Exception {
        return fx.run(spec, new EvaluateStage(loader, Map.of(), JudgeTuning.standard()));
    }

    @Test
    void sampleLoadsFp16ByDefaultAndFp32WhenAsked() throws Exception {
        assertEquals(0, fx.run(sample(Precision.fp16), new SampleStage(loader, Map.of())), fx.stderrText());
        StageSpec unset = sample(null);
        unset.paths.outputDir = "ds/completions-unset";
        assertEquals(0, fx.run(unset, new SampleStage(loader, Map.of())), fx.stderrText());
        StageSpec fp32 = sample(Precision.fp32);
        fp32.paths.outputDir = "ds/completions-fp32";
        assertEquals(0, fx.run(fp32, new SampleStage(loader, Map.of())), fx.stderrText());
        assertEquals(List.of(true, true, false), loader.halfWeights);
    }

    @Test
    void sampleRefusesBf16NamingTheField() throws Exception {
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(sample(Precision.bf16), new SampleStage(loader, Map.of())));
        assertTrue(fx.stderrText().contains("spec.sampling.precision: bf16 is not supported"), fx.stderrText());
        assertEquals(List.of(), loader.halfWeights, "nothing loaded");
    }

    @Test
    void evaluateLoadsFp16ByDefaultAndFp32WhenAsked() throws Exception {
        assertEquals(0, runEvaluate(evaluate(null)), fx.stderrText());
        StageSpec fp32 = evaluate(Precision.fp32);
        fp32.paths.outputDir = "suite-fp32";
        assertEquals(0, runEvaluate(fp32), fx.stderrText());
        assertEquals(List.of(true, false), loader.halfWeights);
    }

    @Test
    void evaluateRefusesBf16NamingTheField() throws Exception {
        assertEquals(ExitCodes.INVALID_INPUT, runEvaluate(evaluate(Precision.bf16)));
        assertTrue(fx.stderrText().contains("spec.precision: bf16 is not supported"), fx.stderrText());
        assertEquals(List.of(), loader.halfWeights, "nothing loaded");
    }
}
