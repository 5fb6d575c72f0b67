package dev.mmalign.trainer.engine.train;

import static org.junit.jupiter.api.Assertions.*;

import dev.mmalign.trainer.engine.Fixtures;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.data.EncodedExample;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Guards response log-probs: only response tokens count (prompt, image, padding masked), sum vs mean. */
class LogProbsTest {
    static VisionLanguageModel vlm;

    @BeforeAll
    static void up() {
        vlm = ModelLoader.create("tiny", 11);
    }

    @AfterAll
    static void down() {
        vlm.close();
    }

    private static EncodedExample example(String prompt, String response, long imageSeed) {
        return EncodedExample.of(vlm.tokenizer(), prompt, response, Fixtures.randomPixels(16, imageSeed),
                vlm.imagePositions(), 300, true);
    }

    @Test
    void responseLogProbIsTheSumOfResponseTokenLogSoftmaxOnly() {
        EncodedExample e = example("Name the colour.", "Red", 1);
        float[] logits = Fixtures.logits(vlm.model(), vlm.manager(), e);
        int v = vlm.model().config().text().vocabSize();
        int patches = vlm.model().config().vision().numPatches();
        double expected = 0;
        for (int t = e.responseStart(); t < e.ids().length; t++) {
            int row = t - 1 + patches - 1; // logits at the position before token t, image expanded
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < v; k++) {
                max = Math.max(max, logits[row * v + k]);
            }
            double z = 0;
            for (int k = 0; k < v; k++) {
                z += Math.exp(logits[row * v + k] - max);
            }
            expected += logits[row * v + e.ids()[t]] - max - Math.log(z);
        }
        double[] sum = LogProbs.compute(vlm, List.of(e), false, 1);
        double[] avg = LogProbs.compute(vlm, List.of(e), true, 1);
        assertEquals(expected, sum[0], 1e-4);
        assertEquals(5, e.responseTokens(), "' Red' + EOS with the byte tokenizer");
        assertEquals(expected / 5, avg[0], 1e-5);
    }

    @Test
    void paddingInABatchDoesNotChangeAnExamplesLogProb() {
        EncodedExample shortOne = example("Hi.", "Yes", 2);
        EncodedExample longOne = example("A much longer question about the picture?", "A much longer answer.", 3);
        double alone = LogProbs.compute(vlm, List.of(shortOne), false, 1)[0];
        double[] batched = LogProbs.compute(vlm, List.of(shortOne, longOne), false, 2);
        assertEquals(alone, batched[0], 1e-4);
        assertEquals(LogProbs.compute(vlm, List.of(longOne), false, 1)[0], batched[1], 1e-4);
    }

    @Test
    void responseTruncationKeepsThePromptWhole() {
        EncodedExample e = EncodedExample.of(vlm.tokenizer(), "Question?", "A very long answer indeed.", null,
                vlm.imagePositions(), 30, true);
        assertEquals(30, e.ids().length);
        assertTrue(e.responseStart() < 30);
        assertEquals(e.ids().length - e.responseStart(), e.responseTokens());
    }
}
