package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.engine.data.EncodedExample;

import dev.mmalign.trainer.engine.ndarray.GradMode;
import dev.mmalign.trainer.engine.ndarray.OwnedArrays;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.mmalign.trainer.engine.model.ActivationCheckpoints;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * <p>Backward passes go through libtorch directly ({@code JniUtils.backward}), not through a DJL GradientCollector, of
 * which only one may be open per process: that lets data-parallel replicas (one per device, each on its own thread with
 * its own copy of the model) run their backward passes at once. With {@link TrainConfig#activationCheckpointing} the
 * model records its block chains during the forward pass and {@link ActivationCheckpoints#backward} replays them after
 * the loss's backward pass. With {@link TrainConfig#replicas} &gt; 1 an optimiser step takes {@code replicas ·
 * gradientAccumulation} micro-batches; micro-batch {@code i} of a step runs on replica {@code i mod replicas}, every
 * loss is divided by the step's micro-batch count, the replicas' gradients are summed into replica 0's, replica 0's
 * AdamW applies the update, and the updated arrays are copied to every other replica, so all replicas hold identical
 * weights at every step. That per-array work is split over the replicas' threads ({@link OptimizerStep}), bit for bit
 * what one thread would compute. LoRA dropout masks are seeded per (step, micro-batch, layer), never by thread order.
 *
 * @param <E> one training example (a DPO pair or an SFT example)
 */
public abstract class TrainingLoop<E> {
    /**
     * Loss of one micro-batch (mean over its examples) plus its metrics and token count.
     *
     * @param lossCount how many units (SFT: response tokens) the loss is a mean over; a split micro-batch
     *     ({@link TrainConfig#batchShards}) checks it against {@link #lossCount}; 0 where the loss cannot be split
     */
    protected record MicroResult(NDArray loss, Map<String, Double> metrics, long tokens, long lossCount) {
        public MicroResult(NDArray loss, Map<String, Double> metrics, long tokens) {
            this(loss, metrics, tokens, 0);
        }
    }

    protected final VisionLanguageModel vlm;
    protected final TrainConfig cfg;
    protected final Path imageRoot;

    private final PixelCache pixels;

    protected TrainingLoop(VisionLanguageModel vlm, TrainConfig cfg, Path imageRoot) {
        this.vlm = vlm;
        this.cfg = cfg;
        this.imageRoot = imageRoot;
        this.pixels = new PixelCache(vlm.images(), PixelCache.DEFAULT_MAX_BYTES);
    }

    /** Tokenises one example with its image (by its path under the image root), the image processed once per run. */
    protected EncodedExample encode(List<String> images, String prompt, String response) throws IOException {
        Path png = image(images);
        return vlm.encode(png == null ? null : pixels.pixels(png), prompt, response, cfg.maxLength());
    }

    /** Runs on the untouched base model before LoRA is attached (DPO: reference log-probs). */
    protected List<E> prepare(List<E> data) throws IOException {
        return data;
    }

    /** Forward pass of one micro-batch on {@code model} (replica 0 is {@code vlm.model()}), arrays on {@code m}. */
    protected abstract MicroResult microStep(LlavaModel model, NDManager m, List<E> examples) throws IOException;

    /**
     * How many units (SFT: response tokens) the loss of {@code examples} is a mean over, known before their forward
     * pass and equal to its {@link MicroResult#lossCount}: it weighs each shard of a micro-batch split over threads
     * ({@link TrainConfig#batchShards}), so that a shard's backward pass can follow its own forward pass at once.
     * Only trainers whose loss one such count splits implement it.
     */
    protected long lossCount(List<E> examples) throws IOException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot split a micro-batch");
    }

    /** One data-parallel replica: its model, the manager its step managers come from, its trained arrays. */
    private record Replica(LlavaModel model, NDManager parent, Map<String, NDArray> trainable) {}

    /** What a micro-batch leaves once its arrays are freed. */
    private record MicroOutcome(double loss, Map<String, Double> metrics, long tokens) {}

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
        int microsPerStep = cfg.gradientAccumulation() * cfg.replicas();
        int stepsPerEpoch = (microPerEpoch + microsPerStep - 1) / microsPerStep;
        int total = stepsPerEpoch * cfg.epochs();
        if (cfg.maxSteps() >= 0) {
            total = Math.min(total, cfg.maxSteps());
        }
        int step = 0;
        List<Double> losses = new ArrayList<>();
        Optional<Path> resume = Checkpoints.latest(output);
        if (resume.isPresent()) {
            TrainingState resumed = Checkpoints.load(resume.get(), trainable, optimizer);
            step = resumed.step();
            if (resumed.losses() != null && resumed.losses().size() == step) {
                losses.addAll(resumed.losses());
            }
        }
        int resumedFromStep = step;
        Map<String, Double> last = Map.of();
        boolean stopped = false;
        int skipped = 0; // non-finite steps skipped in this attempt
        int nonFiniteInARow = 0;
        model.setTraining(true);
        List<Replica> replicas = new ArrayList<>();
        replicas.add(new Replica(model, vlm.manager(), trainable));
        ExecutorService pool = null;
        // One model copy per device replica, or per shard of a micro-batch (never both: TrainConfig).
        int copies = Math.max(cfg.replicas(), cfg.batchShards());
        try {
            if (copies > 1) {
                for (int r = 1; r < copies; r++) {
                    replicas.add(replica(model, trainable, r));
                }
                pool = Executors.newFixedThreadPool(copies, runnable -> {
                    Thread t = new Thread(runnable, "mmalign-replica");
                    t.setDaemon(true);
                    return t;
                });
            }
            List<Map<String, NDArray>> copyArrays = new ArrayList<>();
            for (Replica r : replicas) {
                copyArrays.add(r.trainable());
            }
            OptimizerStep update = new OptimizerStep(optimizer, copyArrays, vlm.manager(), pool, copies);
            while (step < total) {
                int epoch = step / stepsPerEpoch;
                int firstMicro = (step % stepsPerEpoch) * microsPerStep;
                int micros = Math.min(microsPerStep, microPerEpoch - firstMicro);
                List<Integer> order = order(examples.size(), epoch);
                LlavaModel.seedGenerator(TrainingState.torchSeed(cfg.seed(), step));
                long t0 = System.nanoTime();
                List<List<E>> batches = new ArrayList<>();
                for (int mi = 0; mi < micros; mi++) {
                    int from = (firstMicro + mi) * cfg.batchSize();
                    List<E> batch = new ArrayList<>();
                    for (int i = from; i < Math.min(examples.size(), from + cfg.batchSize()); i++) {
                        batch.add(examples.get(order.get(i)));
                    }
                    batches.add(batch);
                }
                MicroOutcome[] outcomes = runMicros(replicas, pool, batches, step);
                Map<String, Double> sums = new LinkedHashMap<>();
                long tokens = 0;
                for (MicroOutcome o : outcomes) { // in micro-batch order, whatever replica ran it
                    sums.merge("loss", o.loss(), Double::sum);
                    o.metrics().forEach((k, v) -> sums.merge(k, v, Double::sum));
                    tokens += o.tokens();
                }
                double lr = Schedule.learningRate(cfg, step, total);
                double loss = sums.get("loss") / micros;
                double gradNorm = update.sumGradientsAndNorm();
                // A NaN or infinite loss or gradient must never reach the weights or AdamW's moments: skip the
                // update. The gradients are zeroed either way, so the next step starts clean.
                AdamW.Step applied = null;
                if (Double.isFinite(loss) && Double.isFinite(gradNorm)) {
                    applied = optimizer.begin(lr, gradNorm, cfg.maxGradNorm());
                    nonFiniteInARow = 0;
                } else {
                    skipped++;
                    nonFiniteInARow++;
                }
                update.updateAndBroadcast(applied);
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
                    Checkpoints.save(output, state(step, stepsPerEpoch, total, losses), trainable, optimizer, model,
                            cfg.lora(), cfg.keepCheckpoints());
                }
                if (stopRequested.getAsBoolean() && step < total) {
                    stopped = true;
                    break;
                }
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
            for (int r = 1; r < replicas.size(); r++) {
                replicas.get(r).model().close();
                replicas.get(r).parent().close();
            }
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
        return new TrainResult(step, total, stopped, last, resumedFromStep, losses, result);
    }

    /**
     * Runs the step's micro-batches: on the calling thread with one replica, else micro-batch {@code i} on replica
     * {@code i mod replicas}, the replicas in parallel. Every loss is divided by the number of micro-batches, so the
     * accumulated (and summed) gradients are those of the step's mean loss.
     */
    private MicroOutcome[] runMicros(List<Replica> replicas, ExecutorService pool, List<List<E>> batches, int step)
            throws IOException {
        MicroOutcome[] out = new MicroOutcome[batches.size()];
        if (pool == null) {
            runReplica(replicas.get(0), 0, 1, batches, step, out);
            return out;
        }
        if (cfg.batchShards() > 1) {
            for (int mi = 0; mi < batches.size(); mi++) {
                out[mi] = runSharded(replicas, pool, batches.get(mi), mi, batches.size(), step);
            }
            return out;
        }
        List<Future<Void>> futures = new ArrayList<>();
        for (int r = 0; r < replicas.size(); r++) {
            Replica replica = replicas.get(r);
            int first = r;
            futures.add(pool.submit(() -> {
                runReplica(replica, first, replicas.size(), batches, step, out);
                return null;
            }));
        }
        Throwable failure = awaitAll(futures, new ArrayList<>());
        if (failure != null) {
            throw rethrow(failure);
        }
        return out;
    }

    /** Forward and backward of micro-batches first, first + stride, … on one replica, on the current thread. */
    private void runReplica(Replica replica, int first, int stride, List<List<E>> batches, int step,
            MicroOutcome[] out) throws IOException {
        LlavaModel model = replica.model();
        try (GradMode on = GradMode.set(true)) {
            for (int mi = first; mi < batches.size(); mi += stride) {
                ActivationCheckpoints checkpoints = cfg.activationCheckpointing() ? new ActivationCheckpoints() : null;
                model.setCheckpoints(checkpoints);
                model.setDropoutSeed(TrainingState.torchSeed(cfg.seed(), step) * 1_000_003L + mi);
                try (NDManager m = replica.parent().newSubManager()) {
                    MicroResult r = microStep(model, m, batches.get(mi));
                    ActivationCheckpoints.backward(r.loss().div(OwnedArrays.scalar(r.loss(), batches.size())));
                    if (checkpoints != null) {
                        checkpoints.backward();
                    }
                    out[mi] = new MicroOutcome(r.loss().getFloat(), r.metrics(), r.tokens());
                } finally {
                    model.setCheckpoints(null);
                }
            }
        }
    }

    /** What a shard of a micro-batch leaves once its forward and backward passes are done. */
    private record ShardOutcome(float loss, Map<String, Double> metrics, long tokens) {}

    /**
     * One micro-batch split into contiguous shards, shard {@code s} on copy {@code s}, all at once. The micro-batch's
     * loss count {@code C} is known before any forward pass ({@link #lossCount}), so each shard runs its forward pass
     * and right after it the backward pass of its loss weighed by {@code c_s / C} (and divided by the step's
     * micro-batch count) in one task: the summed gradients are those of the whole micro-batch's mean loss, and the
     * micro-batch waits for its slowest shard once. Shards of one example fewer than the copies run on fewer copies.
     */
    private MicroOutcome runSharded(List<Replica> replicas, ExecutorService pool, List<E> batch, int mi,
            int micros, int step) throws IOException {
        int shards = Math.min(replicas.size(), batch.size());
        int per = (batch.size() + shards - 1) / shards;
        List<List<E>> parts = new ArrayList<>();
        for (int s = 0; s * per < batch.size(); s++) {
            parts.add(batch.subList(s * per, Math.min(batch.size(), (s + 1) * per)));
        }
        long[] counts = new long[parts.size()];
        long total = 0;
        for (int s = 0; s < parts.size(); s++) {
            counts[s] = lossCount(parts.get(s));
            total += counts[s];
        }
        List<Future<ShardOutcome>> futures = new ArrayList<>();
        for (int s = 0; s < parts.size(); s++) {
            Replica replica = replicas.get(s);
            List<E> shard = parts.get(s);
            long count = counts[s];
            float weight = (float) ((total == 0 ? 0 : (double) count / total) / micros);
            long dropoutSeed = (TrainingState.torchSeed(cfg.seed(), step) * 1_000_003L + mi) * shards + s;
            futures.add(pool.submit(() -> runShard(replica, shard, count, weight, dropoutSeed)));
        }
        List<ShardOutcome> done = new ArrayList<>();
        Throwable failure = awaitAll(futures, done);
        if (failure != null) {
            throw rethrow(failure);
        }
        // The micro-batch's loss and metrics as one batch's: each shard's weighed by its share.
        double loss = 0;
        long tokens = 0;
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (int s = 0; s < done.size(); s++) {
            ShardOutcome o = done.get(s);
            double share = total == 0 ? 1.0 / done.size() : (double) counts[s] / total;
            loss += o.loss() * share;
            tokens += o.tokens();
            o.metrics().forEach((k, v) -> metrics.merge(k, v * share, Double::sum));
        }
        return new MicroOutcome(loss, metrics, tokens);
    }

    /** Forward and backward of one shard on its copy, on the current (pool) thread; its arrays freed at the end. */
    private ShardOutcome runShard(Replica replica, List<E> shard, long count, float weight, long dropoutSeed)
            throws IOException {
        LlavaModel model = replica.model();
        ActivationCheckpoints checkpoints = cfg.activationCheckpointing() ? new ActivationCheckpoints() : null;
        model.setCheckpoints(checkpoints);
        model.setDropoutSeed(dropoutSeed);
        try (GradMode on = GradMode.set(true); NDManager m = replica.parent().newSubManager()) {
            MicroResult r = microStep(model, m, shard);
            if (r.lossCount() != count) {
                throw new IllegalStateException("a shard's forward pass counted " + r.lossCount()
                        + " loss units where lossCount said " + count + " (" + getClass().getSimpleName() + ")");
            }
            NDArray shardLoss = r.loss();
            ActivationCheckpoints.backward(shardLoss.mul(OwnedArrays.scalar(shardLoss, weight)));
            if (checkpoints != null) {
                checkpoints.backward();
            }
            return new ShardOutcome(shardLoss.getFloat(), r.metrics(), r.tokens());
        } finally {
            model.setCheckpoints(null);
        }
    }

    /** Waits for every future (so none still runs), collects the results in order, returns the first failure. */
    static <T> Throwable awaitAll(List<Future<T>> futures, List<T> results) {
        Throwable first = null;
        for (Future<T> f : futures) {
            try {
                T value = f.get();
                if (value != null) {
                    results.add(value);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (first == null) first = new IllegalStateException("interrupted while replicas or shards were training", e);
            } catch (ExecutionException e) {
                if (first == null) first = e.getCause();
            }
        }
        return first;
    }

    private static IOException rethrow(Throwable t) {
        if (t instanceof IOException io) return io;
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error err) throw err;
        throw new IllegalStateException(t);
    }

    /** A copy of replica 0 (model, trained arrays requiring gradients) on device {@code index}. */
    private Replica replica(LlavaModel first, Map<String, NDArray> trainable, int index) {
        Device device = first.manager().getDevice().isGpu() ? Device.gpu(index) : first.manager().getDevice();
        NDManager parent = NDManager.newBaseManager(device);
        LlavaModel copy = first.replicate(parent);
        Map<String, NDArray> arrays = Lora.trainableOf(copy, trainable.keySet());
        for (NDArray a : arrays.values()) {
            a.setRequiresGradient(true);
            JniUtils.zeroGrad((PtNDArray) a);
        }
        return new Replica(copy, parent, arrays);
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

    private TrainingState state(int step, int stepsPerEpoch, int total, List<Double> losses) {
        int epoch = step / stepsPerEpoch;
        return new TrainingState(step, epoch, (step % stepsPerEpoch) * cfg.gradientAccumulation() * cfg.replicas(),
                cfg.seed(), total,
                TrainingState.torchSeed(cfg.seed(), step), TrainingState.shuffleSeed(cfg.seed(), epoch),
                List.copyOf(losses));
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
