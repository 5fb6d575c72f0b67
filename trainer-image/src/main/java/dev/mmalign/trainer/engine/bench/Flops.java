package dev.mmalign.trainer.engine.bench;

import dev.mmalign.trainer.engine.model.LlavaConfig;

/**
 * Training FLOPs of one sequence: 6 · (matmul parameters) · tokens for forward + backward, plus attention
 * scores and values 12 · layers · width · length² (PaLM appendix B; the full square is counted since the
 * engine computes it). Embedding lookups are not matmuls and are excluded; only the vision layers that
 * actually run (up to the feature layer) count.
 */
public final class Flops {
    private Flops() {}

    public static double trainingFlops(LlavaConfig c, long textTokens, boolean hasImage) {
        LlavaConfig.TextConfig t = c.text();
        long d = t.hiddenSize();
        long kv = (long) t.numKvHeads() * t.headDim();
        double perLayer = d * d * 2.0 + d * kv * 2.0 + 3.0 * d * t.intermediateSize();
        double textMatmul = perLayer * t.numLayers() + (double) t.vocabSize() * d;
        long len = textTokens + (hasImage ? c.vision().numPatches() - 1 : 0);
        double flops = 6 * textMatmul * len + 12.0 * t.numLayers() * d * len * len;
        if (hasImage) {
            LlavaConfig.VisionConfig v = c.vision();
            long dv = v.hiddenSize();
            int layers = c.visionFeatureLayer() >= 0 ? c.visionFeatureLayer() : v.numLayers() + 1 + c.visionFeatureLayer();
            long n = v.numPatches() + 1;
            double visionLayer = 4.0 * dv * dv + 2.0 * dv * v.intermediateSize();
            double patchEmbed = 3.0 * v.patchSize() * v.patchSize() * dv;
            double projector = (double) dv * d + (double) d * d;
            flops += 6 * (visionLayer * layers * n + patchEmbed * v.numPatches() + projector * v.numPatches());
            flops += 12.0 * layers * dv * n * n;
        }
        return flops;
    }
}
