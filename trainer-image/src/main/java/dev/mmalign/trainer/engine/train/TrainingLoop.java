package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.engine.ndarray.OwnedArrays;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.lora.Lora;
import dev.mmalign.trainer.engine.model.LlavaModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * The optimiser loop shared by DPO and SFT: seeded shuffling per epoch, micro-batches with gradient
 * accumulation, AdamW with clipping and the LR schedule, per-step metrics, atomic checkpoints every N steps,
 * resume from the latest checkpoint, and a clean stop (checkpoint first) when the caller's stop request
 * ({@code BooleanSupplier}, checked at every optimiser-step boundary) turns true.
 *
 * <p>A step whose loss or gradient norm is NaN or infinite is skipped (weights and AdamW state untouched, gradients
 * zeroed, counted in the {@code skipped_steps} metric); {@link TrainConfig#maxNonFiniteSteps} of them in a row end the
 * run with a {@link NonFiniteTrainingException} naming the step.
 *
 * <p>Every micro-batch runs in its own NDManager, closed right after its backward pass, so nothing of a
 * step outlives it (the trained arrays and optimiser moments live on the model's manager).
 *
 * @param <E> one training example (a DPO pair or an SFT example)
 */
public abstract class TrainingLoop<E> {
    /** Loss of one micro-batch (mean over its examples) plus its metrics and token count. */
    protected record MicroResult(NDArray loss, Map<String, Double> metrics, long tokens) {}

    protected final VisionLanguageModel vlm;
    protected final TrainConfig cfg;
    protected final Path imageRoot;

    protected TrainingLoop(VisionLanguageModel vlm, TrainConfig cfg, Path imageRoot) {
        this.vlm = vlm;
        this.cfg = cfg;
        this.imageRoot = imageRoot;
    }

    /** Runs on the untouched base model before LoRA is attached (DPO: reference log-probs). */
    protected List<E> prepare(List<E> data) throws IOException {
        return data;
    }

    protected abstract MicroResult microStep(NDManager m, List<E> examples) throws IOException;

    /**
     * Trains on {@code data}, resuming from the latest checkpoint under {@code output} if there is one.
     * Writes the result to {@code output/adapter} (PEFT, with LoRA) or {@code output/model} (full).
     */
    public TrainResult train(List<E> data, Path output, MetricsListener listener, BooleanSupplier stopRequested)
            throws IOException {
        return run(data, output, listener == null ? (s, t, m) -> {} : listener,
                stopRequested == null ? () -> false : stopRequested);
    }

    private TrainResult run(List<E> data, Path output, MetricsListener listener, BooleanSupplier stopRequested)
            throws IOException {
        if (data.isEmpty()) {
            throw new IllegalArgumentException("no training examples");
        }
        LlavaModel model = vlm.model();
        // Before the DPO reference is computed, so that policy and reference read the same stored weights.
        WeightStorage.apply(model, cfg);
        List<E> examples = prepare(data);
        Map<String, NDArray> trainable = cfg.lora() != null ? Lora.attach(model, cfg.lora(), cfg.seed())
                : new LinkedHashMap<>(model.weights());
        AdamW optimizer = new AdamW(model.manager(), trainable, cfg.weightDecay());

        int microPerEpoch = (examples.size() + cfg.batchSize() - 1) / cfg.batchSize();
        int stepsPerEpoch = (microPerEpoch + cfg.gradientAccumulation() - 1) / cfg.gradientAccumulation();
        int total = stepsPerEpoch * cfg.epochs();
        if (cfg.maxSteps() >= 0) {
            total = Math.min(total, cfg.maxSteps());
        }
        int step = 0;
        Optional<Path> resume = Checkpoints.latest(output);
        if (resume.isPresent()) {
            step = Checkpoints.load(resume.get(), trainable, optimizer).step();
        }
        List<Double> losses = new ArrayList<>();
        Map<String, Double> last = Map.of();
        boolean stopped = false;
        int skipped = 0; // non-finite steps skipped in this attempt
        int nonFiniteInARow = 0;
        model.setTraining(true);
        try {
            while (step < total) {
                int epoch = step / stepsPerEpoch;
                int firstMicro = (step % stepsPerEpoch) * cfg.gradientAccumulation();
                int micros = Math.min(cfg.gradientAccumulation(), microPerEpoch - firstMicro);
                List<Integer> order = order(examples.size(), epoch);
                Engine.getInstance().setRandomSeed(TrainingState.torchSeed(cfg.seed(), step));
                long t0 = System.nanoTime();
                Map<String, Double> sums = new LinkedHashMap<>();
                long tokens = 0;
                for (int mi = 0; mi < micros; mi++) {
                    int from = (firstMicro + mi) * cfg.batchSize();
                    List<E> batch = new ArrayList<>();
                    for (int i = from; i < Math.min(examples.size(), from + cfg.batchSize()); i++) {
                        batch.add(examples.get(order.get(i)));
                    }
                    try (NDManager m = vlm.manager().newSubManager();
                            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        MicroResult r = microStep(m, batch);
                        gc.backward(r.loss().div(OwnedArrays.scalar(r.loss(), micros)));
                        sums.merge("loss", (double) r.loss().getFloat(), Double::sum);
                        r.metrics().forEach((k, v) -> sums.merge(k, v, Double::sum));
                        tokens += r.tokens();
                    }
                }
                double lr = Schedule.learningRate(cfg, step, total);
                double loss = sums.get("loss") / micros;
                double gradNorm;
                try (NDManager scratch = vlm.manager().newSubManager()) {
                    gradNorm = optimizer.gradientNorm(scratch);
                    // A NaN or infinite loss or gradient must never reach the weights or AdamW's moments: skip the
                    // update. Zeroing below clears the non-finite gradients, so the next step starts clean.
                    if (Double.isFinite(loss) && Double.isFinite(gradNorm)) {
                        optimizer.step(scratch, lr, gradNorm, cfg.maxGradNorm());
                        nonFiniteInARow = 0;
                    } else {
                        skipped++;
                        nonFiniteInARow++;
                    }
                    optimizer.zeroGradients();
                }
                step++;
                double seconds = (System.nanoTime() - t0) / 1e9;
                Map<String, Double> metrics = new LinkedHashMap<>();
                for (Map.Entry<String, Double> e : sums.entrySet()) {
                    metrics.put(e.getKey(), e.getValue() / micros);
                }
                metrics.put("learning_rate", lr);
                metrics.put("grad_norm", gradNorm);
                metrics.put("tokens_per_second", tokens / seconds);
                metrics.put("epoch", (double) step / stepsPerEpoch);
                metrics.put("skipped_steps", (double) skipped);
                losses.add(metrics.get("loss"));
                last = metrics;
                listener.onStep(step, total, metrics);
                if (nonFiniteInARow >= cfg.maxNonFiniteSteps()) {
                    throw new NonFiniteTrainingException(step, String.format(java.util.Locale.ROOT,
                            "loss %s, gradient norm %s at step %d of %d: %d steps in a row with a non-finite loss or"
                            + " gradient (steps %d-%d skipped, the weights are those after step %d); lower the"
                            + " learning rate or check the data; a retry resumes from the last checkpoint",
                            loss, gradNorm, step, total, nonFiniteInARow, step - nonFiniteInARow + 1, step,
                            step - nonFiniteInARow));
                }
                boolean periodic = cfg.checkpointEvery() > 0 && step % cfg.checkpointEvery() == 0;
                if (stopRequested.getAsBoolean() || (periodic && step < total)) {
                    Checkpoints.save(output, state(step, stepsPerEpoch, total), trainable, optimizer, model,
                            cfg.lora(), cfg.keepCheckpoints());
                }
                if (stopRequested.getAsBoolean() && step < total) {
                    stopped = true;
                    break;
                }
            }
        } finally {
            model.setTraining(false);
            for (NDArray a : trainable.values()) {
                a.setRequiresGradient(false);
            }
        }
        requireFinite(trainable, step);
        Path result;
        if (stopped) {
            result = Checkpoints.latest(output).orElseThrow();
        } else if (cfg.lora() != null) {
            result = output.resolve("adapter");
            Lora.save(model, cfg.lora(), result, null);
        } else {
            result = output.resolve("model");
            ModelLoader.save(vlm, result);
        }
        return new TrainResult(step, total, stopped, last, losses, result);
    }

    /** Last line of defence: a model with NaN or infinite weights is never saved as a result. */
    private static void requireFinite(Map<String, NDArray> trainable, int step) {
        for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
            NDArray a = e.getValue();
            try (NDArray nan = a.isNaN(); NDArray inf = a.isInfinite();
                    NDArray anyNan = nan.any(); NDArray anyInf = inf.any()) {
                if (anyNan.getBoolean() || anyInf.getBoolean()) {
                    throw new NonFiniteTrainingException(step, "trained array " + e.getKey()
                            + " holds NaN or infinite values after step " + step);
                }
            }
        }
    }

    private TrainingState state(int step, int stepsPerEpoch, int total) {
        int epoch = step / stepsPerEpoch;
        return new TrainingState(step, epoch, (step % stepsPerEpoch) * cfg.gradientAccumulation(), cfg.seed(), total,
                TrainingState.torchSeed(cfg.seed(), step), TrainingState.shuffleSeed(cfg.seed(), epoch));
    }

    private List<Integer> order(int n, int epoch) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            idx.add(i);
        }
        Collections.shuffle(idx, new Random(TrainingState.shuffleSeed(cfg.seed(), epoch)));
        return idx;
    }

    /** Resolves an example's first image against the image root; null for text-only examples. */
    protected Path image(List<String> images) {
        return resolveImage(imageRoot, images);
    }

    static Path resolveImage(Path imageRoot, List<String> images) {
        if (images == null || images.isEmpty()) {
            return null;
        }
        if (images.size() > 1) {
            throw new IllegalArgumentException("examples with more than one image are not supported");
        }
        return imageRoot == null ? Path.of(images.get(0)) : imageRoot.resolve(images.get(0));
    }
}
