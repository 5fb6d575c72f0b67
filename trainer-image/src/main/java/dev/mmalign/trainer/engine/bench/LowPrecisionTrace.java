package dev.mmalign.trainer.engine.bench;

import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.lora.LoraConfig;
import dev.mmalign.trainer.engine.train.SftTrainer;
import dev.mmalign.trainer.engine.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The same short training run in two precisions, to measure what storing the frozen weights in fp16 costs: the tiny
 * preset, LoRA r8 on every decoder linear plus a trained projector (so frozen fp16 and trainable fp32 base weights
 * meet in one model), SFT on the toy colour captions, no dropout. SFT's cross-entropy stays well away from zero,
 * so a relative difference of losses is meaningful at every step.
 */
public final class LowPrecisionTrace {
    private LowPrecisionTrace() {}

    /** Per-step losses of {@code steps} optimiser steps (8 images, batch 4) in the given precision. */
    public static List<Double> losses(Path work, TrainConfig.Precision precision, int steps) throws IOException {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 11)) {
            Path images = work.resolve("images");
            List<SftExampleRecord> data = ToyData.sftExamples(
                    ToyData.writeImages(images, 8, vlm.model().config().vision().imageSize()));
            TrainConfig cfg = config(precision, steps);
            List<Double> losses = new ArrayList<>();
            new SftTrainer(vlm, cfg, images).train(data, work.resolve("run-" + precision),
                    (step, total, m) -> losses.add(m.get("loss")), null);
            return losses;
        }
    }

    public static TrainConfig config(TrainConfig.Precision precision, int steps) {
        return TrainConfig.builder()
                .method(TrainConfig.Method.SFT)
                .lora(LoraConfig.builder().rank(8).alpha(16).dropout(0).trainProjector(true).build())
                .precision(precision)
                .batchSize(4)
                .gradientAccumulation(1)
                .epochs((steps + 1) / 2) // 8 examples / batch 4 = 2 steps per epoch
                .maxSteps(steps)
                .learningRate(2e-3)
                .checkpointEvery(0)
                .build();
    }

    /** max over steps of |a − b| / |b| (b the reference); the lists must be equally long. */
    public static double maxRelativeDifference(List<Double> a, List<Double> b) {
        if (a.size() != b.size() || a.isEmpty()) {
            throw new IllegalArgumentException("loss traces of " + a.size() + " and " + b.size() + " steps");
        }
        double max = 0;
        for (int i = 0; i < a.size(); i++) {
            max = Math.max(max, Math.abs(a.get(i) - b.get(i)) / Math.abs(b.get(i)));
        }
        return max;
    }
}
