package dev.mmalign.trainer.engine.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.ToyData;
import dev.mmalign.trainer.engine.data.Batch;
import dev.mmalign.trainer.engine.data.EncodedExample;
import dev.mmalign.trainer.engine.ndarray.OwnedArrays;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attention over slices of the queries (no [B, H, T, T] score tensor for long sequences) gives the same results as
 * one dense attention: vision tower (no mask), decoder with causal and padding masks, to 1e-5.
 */
class ChunkedAttentionTest {
    @TempDir Path dir;

    @Test
    void querySlicesGiveTheDenseResult() throws Exception {
        List<String> images = ToyData.writeImages(dir, 2, 16);
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 9); NDManager m = vlm.manager().newSubManager()) {
            LlavaModel model = vlm.model();
            List<EncodedExample> seqs = List.of(
                    vlm.encode(dir.resolve(images.get(0)), "Describe the image in detail.", "A red picture.", 64),
                    vlm.encode(dir.resolve(images.get(1)), "Colour?", "Blue.", 64));
            Batch batch = Batch.build(m, model, seqs);
            long b = batch.embeddings().getShape().get(0);
            long t = batch.embeddings().getShape().get(1);
            assertTrue(t > 20, "a sequence long enough to need several slices: " + t);
            float[] pad = new float[(int) (b * t)];
            for (int i = 0; i < pad.length; i++) {
                pad[i] = (i % t) < 2 && i >= t ? 0f : 1f; // the second row's first two keys are padding
            }
            NDArray keyPad = OwnedArrays.of(m, pad, new Shape(b, t));
            float[] dense = model.decode(batch.embeddings(), batch.positions(), keyPad, null).toFloatArray();
            float[] denseImages = model.encodeImages(pixels(m, seqs)).toFloatArray();
            model.setAttentionQueryChunk(3); // 5 vision tokens, dozens of text positions: uneven last slices
            try {
                float[] sliced = model.decode(batch.embeddings(), batch.positions(), keyPad, null).toFloatArray();
                float[] slicedImages = model.encodeImages(pixels(m, seqs)).toFloatArray();
                assertTrue(maxAbsDiff(dense, sliced) <= 1e-5, "decoder logits differ by " + maxAbsDiff(dense, sliced));
                assertTrue(maxAbsDiff(denseImages, slicedImages) <= 1e-5,
                        "image features differ by " + maxAbsDiff(denseImages, slicedImages));
            } finally {
                model.setAttentionQueryChunk(LlavaModel.DEFAULT_ATTENTION_QUERY_CHUNK);
            }
        }
    }

    private static NDArray pixels(NDManager m, List<EncodedExample> seqs) {
        int n = seqs.get(0).pixels().length;
        float[] all = new float[seqs.size() * n];
        for (int i = 0; i < seqs.size(); i++) {
            System.arraycopy(seqs.get(i).pixels(), 0, all, i * n, n);
        }
        int size = (int) Math.round(Math.sqrt(n / 3.0));
        return OwnedArrays.of(m, all, new Shape(seqs.size(), 3, size, size));
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }
}
