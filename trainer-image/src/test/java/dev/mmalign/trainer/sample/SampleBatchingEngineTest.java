package dev.mmalign.trainer.sample;

import dev.mmalign.trainer.stage.EnginePolicyModelLoader;
import dev.mmalign.trainer.stage.StageFixture;
import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.dataset.PromptsSpec;
import dev.mmalign.api.dataset.SamplingSpec;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.synthetic.Scene;
import dev.mmalign.trainer.synthetic.SceneObject;
import dev.mmalign.trainer.synthetic.SceneRenderer;
import dev.mmalign.trainer.synthetic.Shape;
import dev.mmalign.trainer.synthetic.ShapeColor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The sample stage on the engine's tiny preset: batching prompts does not change the sampled completions. */
class SampleBatchingEngineTest {

    @TempDir
    Path root;

    /**
     * Guards what sampling.batchSize promises with the real engine: every prompt keeps its own seed inside a batch, and
     * left padding does not leak into a row, so prompts of different lengths (with and without an image), sampled at
     * temperature 1 in batches of 4, give byte-identical completions to one prompt at a time.
     */
    @Test
    void batchedSamplingWritesTheSameCompletionsAsOnePromptAtATime() throws Exception {
        StageFixture fx = new StageFixture(root);
        fx.writeTinyModel("models/base", 8);
        List<PromptRecord> prompts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            new SceneRenderer(32).write(new Scene("s" + i, List.of(new SceneObject(Shape.values()[i % 3],
                    ShapeColor.values()[i % 4], i % 3, 0))), root.resolve("images/s" + i + ".png"));
            prompts.add(new PromptRecord("p" + i, "s" + i + ".png", "Question " + "number ".repeat(i) + i + "?",
                    null, null, null));
        }
        prompts.add(new PromptRecord("t", null, "A text-only question?", null, null, null));
        fx.writeJsonl("in/prompts.jsonl", prompts);

        for (int batch : new int[] {1, 4}) {
            StageSpec spec = fx.spec(StageName.sample, "ds/batch-" + batch);
            spec.prompts = new PromptsSpec();
            spec.prompts.path = "in/prompts.jsonl";
            spec.sampling = new SamplingSpec();
            spec.sampling.model = ModelSource.ofPath("models/base");
            spec.sampling.completionsPerPrompt = 2;
            spec.sampling.temperature = 1.0;
            spec.sampling.maxNewTokens = 8;
            spec.sampling.batchSize = batch;
            assertEquals(0, fx.run(spec, new SampleStage(new EnginePolicyModelLoader())), fx.stderrText());
        }
        String one = Files.readString(root.resolve("ds/batch-1/completions-00000-of-00001.jsonl"));
        assertEquals(12, one.lines().count());
        assertEquals(one, Files.readString(root.resolve("ds/batch-4/completions-00000-of-00001.jsonl")));
    }
}
