package dev.mmalign.trainer.engine.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.synthetic.Scene;
import dev.mmalign.trainer.synthetic.SceneGenerator;
import dev.mmalign.trainer.synthetic.SceneRenderer;
import dev.mmalign.trainer.synthetic.ShapeColor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards that a freshly initialised tiny model can learn to look: trained on "What color is the shape?" over
 * synthetic one-object images, it must name the colour of objects in images it has not seen. With Hugging Face's flat
 * 0.02 initialisation the image features reached the decoder under 1 % apart and this test measured a held-out accuracy
 * of 0.175 (chance: 0.25); with the width-aware initialisation (LlavaModel.initStd) it passes.
 */
class VisionLearningTest {
    @TempDir Path dir;

    @Test
    void tinyModelLearnsTheColourOfAShapeFromThePixels() throws Exception {
        SceneGenerator scenes = new SceneGenerator(3, 1);
        SceneRenderer renderer = new SceneRenderer(48);
        String question = "What color is the shape?";
        List<SftExampleRecord> train = new ArrayList<>();
        List<Scene> heldout = new ArrayList<>();
        for (int i = 0; i < 640; i++) {
            Scene s = scenes.next("s" + i);
            renderer.write(s, dir.resolve(s.id() + ".png"));
            if (i < 600) {
                train.add(new SftExampleRecord(s.id(), List.of(s.id() + ".png"), question, s.objects().get(0).color().word()));
            } else {
                heldout.add(s);
            }
        }
        try (VisionLanguageModel vlm = ModelLoader.create("quickstart", 7)) {
            TrainConfig cfg = TrainConfig.builder()
                    .method(TrainConfig.Method.SFT)
                    .lora(null)
                    .batchSize(16)
                    .gradientAccumulation(1)
                    .epochs(4)
                    .learningRate(1e-3)
                    .maxLength(96)
                    .build();
            new SftTrainer(vlm, cfg, dir).train(train, dir.resolve("out"), null, null);

            int right = 0;
            for (Scene s : heldout) {
                String best = null;
                double bestLogp = Double.NEGATIVE_INFINITY;
                for (ShapeColor c : ShapeColor.values()) {
                    double lp = LogProbs.responseLogProb(vlm, dir.resolve(s.id() + ".png"), question, c.word(), false);
                    if (lp > bestLogp) {
                        bestLogp = lp;
                        best = c.word();
                    }
                }
                if (best.equals(s.objects().get(0).color().word())) right++;
            }
            double accuracy = right / (double) heldout.size();
            assertTrue(accuracy >= 0.9, "held-out colour accuracy " + accuracy + " (chance: 0.25)");
        }
    }
}
