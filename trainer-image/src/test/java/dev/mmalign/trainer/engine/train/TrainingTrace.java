package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.engine.lora.LoraConfig;
import ai.djl.ndarray.NDArray;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.ToyData;
import dev.mmalign.trainer.engine.model.LlavaModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A short seeded training run of the tiny preset with images, recorded bit for bit: per step the loss, the gradient
 * norm and a hash of every trained array after the update, plus the final trained values. Two runs from the same
 * seed must produce equal traces (DeterminismTest, DeterminismProbe).
 *
 * @param lossBits {@link Double#doubleToRawLongBits} of each step's loss (forward pass)
 * @param gradNormBits same of each step's gradient norm (backward pass, before the update)
 * @param weightHashes hash of the raw bits of all trained arrays after each step's update
 * @param finalWeights raw float bits of all trained arrays at the end, in a fixed order
 */
public record TrainingTrace(String kind, List<Long> lossBits, List<Long> gradNormBits, List<Long> weightHashes,
        int[] finalWeights) {

    /** Full fine-tuning SFT: 8 image examples, batch 2, 20 steps. */
    public static TrainingTrace sft(Path dir, long seed) throws Exception {
        return sft(dir, seed, null);
    }

    /** Same, with {@code hook} run on every micro-batch's loss between forward and backward (null: none). */
    static TrainingTrace sft(Path dir, long seed, WrappedLoop.BeforeBackward hook) throws Exception {
        List<String> images = ToyData.writeImages(dir.resolve("img"), 8, 16);
        TrainConfig cfg = TrainConfig.builder()
                .method(TrainConfig.Method.SFT)
                .lora(null)
                .batchSize(2)
                .gradientAccumulation(1)
                .epochs(5)
                .learningRate(3e-3)
                .weightDecay(0.01)
                .seed(seed)
                .build();
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", seed)) {
            return run("sft", vlm, new SftTrainer(vlm, cfg, dir.resolve("img")), cfg, dir, hook,
                    ToyData.sftExamples(images));
        }
    }

    /**
     * LoRA DPO with dropout 0.1 (draws from torch's RNG every step), a trained projector, the SFT term, grad
     * accumulation 2: 20 steps.
     */
    public static TrainingTrace dpo(Path dir, long seed) throws Exception {
        return dpo(dir, seed, null);
    }

    static TrainingTrace dpo(Path dir, long seed, WrappedLoop.BeforeBackward hook) throws Exception {
        List<String> images = ToyData.writeImages(dir.resolve("img"), 8, 16);
        TrainConfig cfg = TrainConfig.builder()
                .lora(LoraConfig.builder().rank(8).alpha(16).dropout(0.1).trainProjector(true).build())
                .batchSize(2)
                .gradientAccumulation(2)
                .epochs(10)
                .learningRate(2e-3)
                .dpo(DpoConfig.builder().sftWeight(0.2).build())
                .seed(seed)
                .build();
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", seed)) {
            return run("dpo", vlm, new DpoTrainer(vlm, cfg, dir.resolve("img")), cfg, dir, hook,
                    ToyData.preferencePairs(images));
        }
    }

    private static <E> TrainingTrace run(String kind, VisionLanguageModel vlm, TrainingLoop<E> trainer,
            TrainConfig cfg, Path dir, WrappedLoop.BeforeBackward hook, List<E> data) throws Exception {
        Recorder rec = new Recorder(vlm.model(), cfg.lora() != null);
        TrainingLoop<E> loop = hook == null ? trainer : new WrappedLoop<>(trainer, vlm, cfg, dir.resolve("img"), hook);
        loop.train(data, dir.resolve(kind + "-out"), rec, null);
        return rec.trace(kind);
    }

    /** Index of the first step whose loss, grad norm or weights differ, or -1 when the traces are equal. */
    public int firstDifference(TrainingTrace other) {
        int n = Math.min(lossBits.size(), other.lossBits.size());
        for (int i = 0; i < n; i++) {
            if (!lossBits.get(i).equals(other.lossBits.get(i)) || !gradNormBits.get(i).equals(other.gradNormBits.get(i))
                    || !weightHashes.get(i).equals(other.weightHashes.get(i))) {
                return i;
            }
        }
        return lossBits.size() == other.lossBits.size() && java.util.Arrays.equals(finalWeights, other.finalWeights)
                ? -1 : n;
    }

    /** One line per step: "kind step loss gradNorm weightHash" with the exact bits in hex. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lossBits.size(); i++) {
            out.add(String.format("%s %d loss=%016x (%.6f) grad_norm=%016x (%.6f) weights=%016x", kind, i + 1,
                    lossBits.get(i), Double.longBitsToDouble(lossBits.get(i)), gradNormBits.get(i),
                    Double.longBitsToDouble(gradNormBits.get(i)), weightHashes.get(i)));
        }
        return out;
    }

    /** Listener that snapshots the trained arrays after each optimiser step. */
    private static final class Recorder implements MetricsListener {
        private final LlavaModel model;
        private final boolean lora;
        private final List<Long> losses = new ArrayList<>();
        private final List<Long> norms = new ArrayList<>();
        private final List<Long> hashes = new ArrayList<>();

        Recorder(LlavaModel model, boolean lora) {
            this.model = model;
            this.lora = lora;
        }

        @Override
        public void onStep(int step, int totalSteps, Map<String, Double> metrics) {
            losses.add(Double.doubleToRawLongBits(metrics.get("loss")));
            norms.add(Double.doubleToRawLongBits(metrics.get("grad_norm")));
            long h = 0xcbf29ce484222325L;
            for (int bits : weights()) {
                h = (h ^ bits) * 0x100000001b3L;
            }
            hashes.add(h);
        }

        int[] weights() {
            List<NDArray> arrays = new ArrayList<>();
            if (lora) {
                model.lora().values().forEach(l -> {
                    arrays.add(l.a());
                    arrays.add(l.b());
                });
            }
            arrays.addAll(model.weights().values()); // frozen base too: LoRA must leave it bit-identical
            int size = 0;
            for (NDArray a : arrays) {
                size += (int) a.size();
            }
            int[] out = new int[size];
            int at = 0;
            for (NDArray a : arrays) {
                for (float f : a.toFloatArray()) {
                    out[at++] = Float.floatToRawIntBits(f);
                }
            }
            return out;
        }

        TrainingTrace trace(String kind) {
            return new TrainingTrace(kind, losses, norms, hashes, weights());
        }
    }
}
