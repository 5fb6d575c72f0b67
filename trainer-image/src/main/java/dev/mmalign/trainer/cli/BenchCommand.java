package dev.mmalign.trainer.cli;

import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.engine.bench.Flops;
import dev.mmalign.trainer.engine.bench.HeapPeak;
import dev.mmalign.trainer.engine.bench.LowPrecisionTrace;
import dev.mmalign.trainer.engine.bench.SyntheticCheckpoint;
import dev.mmalign.trainer.engine.safetensors.DType;
import dev.mmalign.trainer.engine.bench.Rss;
import dev.mmalign.trainer.engine.bench.ToyData;
import dev.mmalign.trainer.engine.lora.LoraConfig;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.data.EncodedExample;
import dev.mmalign.trainer.engine.generate.GenerationConfig;
import dev.mmalign.trainer.engine.generate.Generator;
import dev.mmalign.trainer.engine.model.LlavaConfig;
import dev.mmalign.trainer.engine.model.LlavaModel;
import dev.mmalign.trainer.engine.tokenizer.ByteTokenizer;
import dev.mmalign.trainer.engine.train.DpoTrainer;
import dev.mmalign.trainer.engine.train.SftTrainer;
import dev.mmalign.trainer.engine.train.TrainConfig;
import dev.mmalign.trainer.engine.train.TrainResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Engine benchmark (not a test): matmul peak, training MFU, KV-cache speedup, RSS over a long run, a toy DPO run,
 * fp16-stored frozen weights against fp32, the Java heap while streaming a generated checkpoint of over 1 GB, the
 * memory planner's error, activation checkpointing's memory and data-parallel replicas against one; all in one
 * process so the ratios are measured side by side under the same load.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training MFU, KV-cache speedup, memory growth, toy DPO accuracy, fp16 weight storage"
                + " against fp32, the heap while loading a large checkpoint, the memory plan's error, activation"
                + " checkpointing's memory and data-parallel replicas.")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "small", description = "Model for MFU and generation (default ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--train-steps", defaultValue = "8", description = "Timed training steps (after the warm-up steps).")
    int trainSteps;

    @Option(names = "--warmup-steps", defaultValue = "4", description = "Untimed first training steps (allocator, kernels).")
    int warmupSteps;

    @Option(names = "--batch", defaultValue = "8", description = "Sequences per training step (the paper's per-device batch).")
    int batch;


    @Option(names = "--text-bytes", defaultValue = "100", description = "Prompt + completion bytes per sequence.")
    int textBytes;

    @Option(names = "--gen-tokens", defaultValue = "256", description = "New tokens for the KV-cache comparison.")
    int genTokens;

    @Option(names = "--rss-steps", defaultValue = "1000", description = "Length of the long run for the memory check.")
    int rssSteps;

    @Option(names = "--rss-preset", defaultValue = "tiny", description = "Model of the long run (default ${DEFAULT-VALUE}; small takes ~1 h on 2 cores).")
    String rssPreset;

    @Option(names = "--load-gb", defaultValue = "1.1", description = "Size of the generated checkpoint for the loading check, GB.")
    double loadGb;

    @Option(names = "--skip", split = ",", description = "Sections to skip: mfu, kv, rss, dpo, lowp, load, plan, sampleplan, ckpt, dp.")
    List<String> skip = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("mmalign-bench");
        System.out.printf("engine: %s %s, intra-op threads %s, interop threads %s, cores %d%n",
                Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(),
                System.getProperty("ai.djl.pytorch.num_threads"),
                System.getProperty("ai.djl.pytorch.num_interop_threads"), Runtime.getRuntime().availableProcessors());
        double mfu = Double.NaN;
        double speedup = Double.NaN;
        double rssGrowth = Double.NaN;
        double accuracy = Double.NaN;
        double lowpErr = Double.NaN;
        double loadHeap = Double.NaN;
        double planErr = Double.NaN;
        double samplePlanErr = Double.NaN;
        double ckptRatio = Double.NaN;
        double dpDiff = Double.NaN;
        if (!skip.contains("mfu")) {
            mfu = mfu(work);
        }
        if (!skip.contains("kv")) {
            speedup = kvSpeedup();
        }
        if (!skip.contains("rss")) {
            rssGrowth = rss(work);
        }
        if (!skip.contains("dpo")) {
            accuracy = dpo(work);
        }
        if (!skip.contains("lowp")) {
            lowpErr = lowPrecision(work);
        }
        if (!skip.contains("load")) {
            loadHeap = loadHeap(work);
        }
        if (!skip.contains("plan")) {
            planErr = PlanAccuracy.maxErrorPct(work, System.out);
        }
        if (!skip.contains("sampleplan")) {
            samplePlanErr = SamplingPlanAccuracy.maxErrorPct(work, System.out);
        }
        if (!skip.contains("ckpt")) {
            ckptRatio = checkpointingMemoryRatio(work);
        }
        if (!skip.contains("dp")) {
            dpDiff = dataParallelDiff(work);
        }
        System.out.printf("bench: mfu=%.3f kv_speedup=%.2f rss_growth_pct=%.2f dpo_accuracy=%.3f"
                + " lowp_loss_rel_err=%.5f load_heap_ratio=%.4f plan_err_pct=%.1f act_ckpt_mem_ratio=%.3f"
                + " dp_max_abs_diff=%.2e sample_plan_err_pct=%.1f%n", mfu, speedup, rssGrowth, accuracy, lowpErr,
                loadHeap, planErr, ckptRatio, dpDiff, samplePlanErr);
        return 0;
    }

    /** Dense fp32 matmul FLOP/s through the same engine, best of several sizes. */
    static double matmulFlops() {
        double best = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (int n : new int[] {512, 1024, 2048}) {
                NDArray a = m.randomNormal(new Shape(n, n));
                NDArray b = m.randomNormal(new Shape(n, n));
                int reps = n == 2048 ? 4 : 12;
                for (int i = 0; i < 2; i++) {
                    a.matMul(b).close();
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    a.matMul(b).close();
                }
                double s = (System.nanoTime() - t0) / 1e9;
                double f = 2.0 * n * n * n * reps / s;
                System.out.printf("matmul %dx%d fp32: %.2f GFLOP/s%n", n, n, f / 1e9);
                best = Math.max(best, f);
            }
        }
        return best;
    }

    /** FLOP/s of a few 2048² fp32 matmuls right now (about a second), to pair with the step just measured. */
    static double quickMatmulFlops(NDManager m, NDArray a, NDArray b) {
        a.matMul(b).close();
        long t0 = System.nanoTime();
        int reps = 3;
        for (int i = 0; i < reps; i++) {
            a.matMul(b).close();
        }
        return 2.0 * a.getShape().get(0) * a.getShape().get(0) * a.getShape().get(0) * reps
                / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * Training FLOP/s over matmul FLOP/s. The machine is shared, so each timed step is paired with a matmul
     * measurement taken right after it, and the median of the per-step ratios is reported.
     */
    private double mfu(Path work) throws Exception {
        double peak = matmulFlops();
        LlavaConfig config = LlavaConfig.preset(preset);
        List<String> images = ToyData.writeImages(work.resolve("mfu-images"), batch * (trainSteps + warmupSteps),
                config.vision().imageSize());
        int promptBytes = textBytes / 4;
        List<SftExampleRecord> data = ToyData.randomText(images, promptBytes, textBytes - promptBytes, 7);
        try (VisionLanguageModel vlm = ModelLoader.create(preset, 1);
                NDManager mm = NDManager.newBaseManager()) {
            NDArray a = mm.randomNormal(new Shape(2048, 2048));
            NDArray b = mm.randomNormal(new Shape(2048, 2048));
            System.out.printf("model %s: %,d parameters%n", preset, vlm.model().parameterCount());
            EncodedExample probe = vlm.encode(work.resolve("mfu-images").resolve(images.get(0)), data.get(0).prompt(),
                    data.get(0).completion(), Integer.MAX_VALUE);
            double flopsPerStep = Flops.trainingFlops(config, probe.ids().length, true) * batch;
            long seqLen = probe.ids().length + config.vision().numPatches() - 1;
            TrainConfig cfg = TrainConfig.builder()
                    .method(TrainConfig.Method.SFT)
                    .lora(null) // full fine-tuning: 6·N·tokens assumes every weight gets a gradient
                    .batchSize(batch)
                    .gradientAccumulation(1)
                    .epochs(1)
                    .learningRate(1e-4)
                    .maxLength(4096)
                    .activationCheckpointing(false) // 6·N·tokens counts no recomputation
                    .build();
            List<Double> achieved = new ArrayList<>();
            List<Double> matmul = new ArrayList<>();
            long[] last = {System.nanoTime()};
            new SftTrainer(vlm, cfg, work.resolve("mfu-images")).train(data, work.resolve("mfu-run"),
                    (step, total, metrics) -> {
                        double seconds = (System.nanoTime() - last[0]) / 1e9;
                        if (step > warmupSteps) { // first steps warm up the allocator and kernels
                            achieved.add(flopsPerStep / seconds);
                            matmul.add(quickMatmulFlops(mm, a, b));
                        }
                        last[0] = System.nanoTime();
                    }, null);
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < achieved.size(); i++) {
                ratios.add(achieved.get(i) / matmul.get(i));
                System.out.printf("  step %d: %.1f GFLOP/s training, %.1f GFLOP/s matmul right after, ratio %.3f%n",
                        i + warmupSteps + 1, achieved.get(i) / 1e9, matmul.get(i) / 1e9, ratios.get(i));
            }
            double meanAchieved = achieved.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            double meanMatmul = matmul.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            System.out.printf("training (%s, full fine-tuning, batch %d x %d tokens incl. %d image patches): %.1f"
                    + " tokens/s, %.2f GFLOP/s achieved (%.2f GFLOP per step); paired matmul %.2f GFLOP/s%n", preset,
                    batch, seqLen, config.vision().numPatches(), meanAchieved / flopsPerStep * batch * seqLen,
                    meanAchieved / 1e9, flopsPerStep / 1e9, meanMatmul / 1e9);
            double mfu = median(ratios);
            System.out.printf("MFU (median per-step training / paired matmul) = %.1f %%; mean/mean %.1f %%;"
                    + " vs best matmul of the run %.1f %%%n", mfu * 100, 100 * meanAchieved / meanMatmul,
                    100 * meanAchieved / Math.max(peak, matmul.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
            return mfu;
        }
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        java.util.Collections.sort(s);
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private double kvSpeedup() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create(preset, 1)) {
            int size = vlm.model().config().vision().imageSize();
            float[] pixels = new float[3 * size * size];
            Random rnd = new Random(3);
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) rnd.nextGaussian();
            }
            EncodedExample prompt = dev.mmalign.trainer.engine.data.EncodedExample.of(vlm.tokenizer(),
                    "Describe this image in detail.", null, pixels, vlm.imagePositions(), Integer.MAX_VALUE, false);
            GenerationConfig greedy = new GenerationConfig(0, 1, genTokens, 1, 1, 1, true, false);
            Generator.generateIds(vlm, List.of(prompt), List.of(new Random(1)), greedy.withBatchSize(1)); // warm-up
            // Cached runs before and after the uncached one, so a load change on the shared machine hits both.
            long t0 = System.nanoTime();
            int[] cached = Generator.generateIds(vlm, List.of(prompt), List.of(new Random(1)), greedy).get(0);
            double withCache1 = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            int[] uncached = Generator.generateIds(vlm, List.of(prompt), List.of(new Random(1)),
                    greedy.withCache(false)).get(0);
            double without = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            Generator.generateIds(vlm, List.of(prompt), List.of(new Random(1)), greedy);
            double withCache2 = (System.nanoTime() - t0) / 1e9;
            double withCache = (withCache1 + withCache2) / 2;
            System.out.printf("  cached runs: %.2f s and %.2f s; uncached run: %.2f s%n", withCache1, withCache2,
                    without);
            System.out.printf("generation (%s, prompt %d tokens incl. image, %d new tokens, batch 1): with KV cache"
                    + " %.1f tokens/s, without %.1f tokens/s; same greedy tokens: %s%n", preset,
                    prompt.ids().length + vlm.model().config().vision().numPatches() - 1, cached.length,
                    cached.length / withCache, uncached.length / without, Arrays.equals(cached, uncached));
            // Batched sampling throughput, for reference (K = 4 samples per prompt in one batch).
            GenerationConfig k4 = new GenerationConfig(0.7, 0.9, genTokens, 4, 1, 4, true, false);
            t0 = System.nanoTime();
            List<int[]> four = Generator.generateIds(vlm, List.of(prompt, prompt, prompt, prompt),
                    List.of(new Random(1), new Random(2), new Random(3), new Random(4)), k4);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("generation batched (4 samples, T=0.7, top-p 0.9, KV cache): %.1f tokens/s%n",
                    four.stream().mapToInt(a -> a.length).sum() / s);
            return without / withCache;
        }
    }

    private double rss(Path work) throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create(rssPreset, 1)) {
            List<String> images = ToyData.writeImages(work.resolve("rss-images"), 8,
                    vlm.model().config().vision().imageSize());
            List<DpoPairRecord> pairs = ToyData.preferencePairs(images);
            TrainConfig cfg = TrainConfig.builder()
                    .lora(LoraConfig.of(8, 16))
                    .batchSize(2)
                    .gradientAccumulation(1)
                    .epochs(rssSteps) // 4 steps per epoch; maxSteps caps it
                    .maxSteps(rssSteps)
                    .learningRate(1e-4)
                    .checkpointEvery(0)
                    .build();
            long[] rss = new long[2];
            long[] peak = new long[2];
            // Earlier sections (the small model) set the process peak; measure this run's own peak.
            boolean reset = Rss.resetPeak();
            long t0 = System.nanoTime();
            new DpoTrainer(vlm, cfg, work.resolve("rss-images")).train(pairs, work.resolve("rss-run"),
                    (step, total, metrics) -> {
                        if (step % 100 == 0) {
                            Runtime rt = Runtime.getRuntime();
                            System.out.printf("  step %d: RSS %.1f MiB, Java heap used %.1f of %.1f MiB committed%n",
                                    step, Rss.currentKiB() / 1024.0, (rt.totalMemory() - rt.freeMemory()) / 1048576.0,
                                    rt.totalMemory() / 1048576.0);
                        }
                        if (step == 100 || step == rssSteps) {
                            int i = step == 100 ? 0 : 1;
                            rss[i] = Rss.currentKiB();
                            peak[i] = Rss.peakKiB();
                        }
                    }, () -> false);
            double peakGrowth = 100.0 * (peak[1] - peak[0]) / peak[0];
            double currentGrowth = 100.0 * (rss[1] - rss[0]) / rss[0];
            System.out.printf("memory (%s, LoRA DPO, %d steps in %.0f s): peak RSS%s %.1f MiB at step 100, %.1f MiB"
                    + " at step %d (growth %.2f %%); current RSS %.1f → %.1f MiB (growth %.2f %%)%n", rssPreset,
                    rssSteps, (System.nanoTime() - t0) / 1e9, reset ? " since the run began" : " of the process",
                    peak[0] / 1024.0, peak[1] / 1024.0, rssSteps, peakGrowth, rss[0] / 1024.0, rss[1] / 1024.0,
                    currentGrowth);
            // The larger of the two, so neither a leak that frees at step boundaries nor one hidden under an
            // earlier peak goes unseen.
            return reset ? Math.max(peakGrowth, currentGrowth) : currentGrowth;
        }
    }

    /** The same 50 tiny steps with fp32 and with fp16-stored frozen weights: max relative loss difference. */
    private double lowPrecision(Path work) throws Exception {
        long t0 = System.nanoTime();
        List<Double> fp32 = LowPrecisionTrace.losses(work.resolve("lowp-fp32"), TrainConfig.Precision.FP32, 50);
        double s32 = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        List<Double> fp16 = LowPrecisionTrace.losses(work.resolve("lowp-fp16"), TrainConfig.Precision.FP16, 50);
        double s16 = (System.nanoTime() - t0) / 1e9;
        double err = LowPrecisionTrace.maxRelativeDifference(fp16, fp32);
        System.out.printf("precision (tiny, LoRA r8 + trained projector, SFT, 50 steps): loss %.4f → %.4f in fp32"
                + " (%.1f s), %.4f → %.4f with frozen weights stored in fp16 (%.1f s); max relative difference %.5f%n",
                fp32.get(0), fp32.get(49), s32, fp16.get(0), fp16.get(49), s16, err);
        return err;
    }

    /**
     * Loads a generated multi-shard BF16 checkpoint of {@code --load-gb} GB, streamed to fp16 on the device, and
     * returns the peak Java heap growth during the load over the checkpoint's bytes. The checkpoint is deleted after.
     */
    private double loadHeap(Path work) throws Exception {
        Path dir = work.resolve("load-checkpoint");
        try {
            // hidden 2048, 11/4 MLP: ~51M parameters per layer; layers chosen to reach the requested size in BF16.
            int layers = Math.max(1, (int) Math.ceil(loadGb * 1e9 / 2 / 51.4e6));
            long bytes = SyntheticCheckpoint.write(dir, SyntheticCheckpoint.config(2048, layers), DType.BF16,
                    300_000_000L, 1);
            long shards;
            try (var files = Files.list(dir)) {
                shards = files.filter(f -> f.toString().endsWith(".safetensors")).count();
            }
            long baseline = HeapPeak.start();
            long allocated0 = HeapPeak.allocatedByThisThread();
            long rss0 = Rss.currentKiB();
            long t0 = System.nanoTime();
            try (VisionLanguageModel vlm = ModelLoader.load(dir, name -> true)) {
                double seconds = (System.nanoTime() - t0) / 1e9;
                long peak = HeapPeak.peak();
                long allocated = HeapPeak.allocatedByThisThread() - allocated0;
                long rss1 = Rss.currentKiB();
                // The pools report in G1 regions (MiBs); everything the loading thread allocated, garbage included,
                // bounds the growth it caused exactly. The larger of the two is reported.
                double ratio = (double) Math.max(peak - baseline, allocated) / bytes;
                System.out.printf("loading (%d shards, %.2f GB of BF16, %,d parameters, streamed to fp16): %.1f s,"
                        + " Java heap peak %.1f MiB over a %.1f MiB baseline (growth %.1f MiB, in G1 regions);"
                        + " bytes allocated by the loading thread %.2f MiB; RSS +%.0f MiB%n",
                        shards, bytes / 1e9, vlm.model().parameterCount(), seconds, peak / 1048576.0,
                        baseline / 1048576.0, (peak - baseline) / 1048576.0, allocated / 1048576.0,
                        (rss1 - rss0) / 1024.0);
                return ratio;
            }
        } finally {
            dev.mmalign.trainer.data.AtomicFiles.deleteTree(dir);
        }
    }

    /**
     * Peak activation memory of a training step with activation checkpointing over the same without, on an 8-layer
     * model (8 decoder blocks, 7 of 8 vision blocks run), LoRA SFT, batch 2 × ~220 positions. Each run trains 1 step
     * on a fresh model; the figure is the peak RSS from just before training to the end of that step above the RSS at
     * its start (LoRA r8 and its AdamW state are a few hundred KiB; the rest is the step's activations and gradients).
     * The checkpointed run goes first: memory freed but still resident in the process would serve a later run's
     * allocations without raising RSS (measured: a second step reusing the first step's memory showed no growth at
     * all), which could only make the second figure, the one without checkpointing, smaller and the ratio larger.
     * Needs MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ so freed tensors return to the OS (STACK.md).
     */
    private double checkpointingMemoryRatio(Path work) throws Exception {
        boolean mallocSet = System.getenv("MALLOC_MMAP_THRESHOLD_") != null
                && System.getenv("MALLOC_TRIM_THRESHOLD_") != null;
        LlavaConfig config = new LlavaConfig(new LlavaConfig.VisionConfig(256, 1024, 8, 4, 64, 8, 1e-5, "quick_gelu"),
                new LlavaConfig.TextConfig(260, 256, 1024, 8, 4, 4, 1e-5, 10000.0, 1024, false),
                3, "gelu", -2, 0, 1, 2);
        Path root = work.resolve("ckpt-images");
        List<String> images = ToyData.writeImages(root, 8, config.vision().imageSize());
        List<SftExampleRecord> data = ToyData.randomText(images, 30, 90, 11);
        long[] peaks = new long[2];
        double[] seconds = new double[2];
        for (int run = 0; run < 2; run++) {
            boolean checkpointing = run == 0;
            NDManager manager = NDManager.newBaseManager();
            try (VisionLanguageModel vlm = new VisionLanguageModel(LlavaModel.initialize(config, manager, 3),
                    new ByteTokenizer(), manager)) {
                TrainConfig cfg = TrainConfig.builder().method(TrainConfig.Method.SFT)
                        .lora(LoraConfig.builder().rank(8).alpha(16).dropout(0.05).build())
                        .batchSize(2).gradientAccumulation(1).epochs(1).maxSteps(1).learningRate(1e-4)
                        .maxLength(1024).checkpointEvery(0).activationCheckpointing(checkpointing).build();
                // G1 returns heap freed by a full collection to the OS concurrently (JDK 17): let it finish first,
                // or the step's native growth hides under the heap shrinking beside it.
                System.gc();
                Thread.sleep(3000);
                Rss.resetPeak();
                long start = Rss.currentKiB();
                long t0 = System.nanoTime();
                new SftTrainer(vlm, cfg, root).train(data, work.resolve("ckpt-run-" + run), (step, total, m) -> {
                    peaks[checkpointing ? 1 : 0] = Rss.peakKiB() - start;
                    seconds[checkpointing ? 1 : 0] = (System.nanoTime() - t0) / 1e9;
                }, null);
            }
        }
        System.out.printf("activation checkpointing (8 layers, width 256, LoRA SFT, batch 2 x ~220 positions): step"
                + " peak above its start %.1f MiB without, %.1f MiB with (%.2f s vs %.2f s for the step)%s%n",
                peaks[0] / 1024.0, peaks[1] / 1024.0, seconds[0], seconds[1],
                mallocSet ? "" : "; MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ unset: figures unreliable");
        return (double) peaks[1] / peaks[0];
    }

    /**
     * Largest difference between 2 data-parallel replicas (CPU threads, 1 micro-batch each per step) and 1 replica
     * accumulating the same 2 micro-batches: over 4 steps' losses and every trained LoRA value (tiny, dropout on).
     */
    private double dataParallelDiff(Path work) throws Exception {
        Path root = work.resolve("dp-images");
        List<String> images = ToyData.writeImages(root, 8, LlavaConfig.tiny().vision().imageSize());
        List<SftExampleRecord> data = ToyData.sftExamples(images);
        List<List<Double>> losses = new ArrayList<>();
        List<List<float[]>> weights = new ArrayList<>();
        for (int replicas = 1; replicas <= 2; replicas++) {
            try (VisionLanguageModel vlm = ModelLoader.create("tiny", 5)) {
                TrainConfig cfg = TrainConfig.builder().method(TrainConfig.Method.SFT)
                        .lora(LoraConfig.builder().rank(8).alpha(16).dropout(0.1).build())
                        .batchSize(2).gradientAccumulation(3 - replicas).replicas(replicas).epochs(2)
                        .learningRate(1e-3).maxLength(64).build();
                TrainResult r = new SftTrainer(vlm, cfg, root).train(data, work.resolve("dp-run-" + replicas), null,
                        null);
                losses.add(r.losses());
                List<float[]> w = new ArrayList<>();
                vlm.model().lora().values().forEach(l -> {
                    w.add(l.a().toFloatArray());
                    w.add(l.b().toFloatArray());
                });
                weights.add(w);
            }
        }
        double worst = 0;
        for (int i = 0; i < losses.get(0).size(); i++) {
            worst = Math.max(worst, Math.abs(losses.get(0).get(i) - losses.get(1).get(i)));
        }
        for (int k = 0; k < weights.get(0).size(); k++) {
            float[] a = weights.get(0).get(k);
            float[] b = weights.get(1).get(k);
            for (int i = 0; i < a.length; i++) {
                worst = Math.max(worst, Math.abs(a[i] - b[i]));
            }
        }
        System.out.printf("data parallel (tiny, LoRA SFT, %d steps): 2 replicas vs 1, max |difference| over losses"
                + " and LoRA weights %.2e%n", losses.get(0).size(), worst);
        return worst;
    }

    private double dpo(Path work) throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 5)) {
            List<String> images = ToyData.writeImages(work.resolve("dpo-images"), 8,
                    vlm.model().config().vision().imageSize());
            Path root = work.resolve("dpo-images");
            TrainConfig cfg = TrainConfig.builder()
                    .lora(LoraConfig.builder().rank(8).alpha(16).dropout(0).build())
                    .batchSize(4)
                    .gradientAccumulation(1)
                    .epochs(10)
                    .learningRate(2e-3)
                    .build();
            List<DpoPairRecord> pairs = DpoTrainer.precomputeReference(vlm, ToyData.preferencePairs(images), cfg, root);
            List<Double> margins = new ArrayList<>();
            TrainResult r = new DpoTrainer(vlm, cfg, root).train(pairs, work.resolve("dpo-run"),
                    (step, total, m) -> margins.add(m.get("rewards/margins")), null);
            // Reference recomputed after training with LoRA off must equal the stored values bit for bit.
            List<DpoPairRecord> fresh = new ArrayList<>();
            for (DpoPairRecord p : pairs) {
                fresh.add(new DpoPairRecord(p.id(), p.images(), p.prompt(), p.chosen(), p.rejected(), null, null, null, null));
            }
            List<DpoPairRecord> again = DpoTrainer.precomputeReference(vlm, fresh, cfg, root);
            boolean identical = true;
            for (int i = 0; i < pairs.size(); i++) {
                identical &= pairs.get(i).refChosenLogp().equals(again.get(i).refChosenLogp())
                        && pairs.get(i).refRejectedLogp().equals(again.get(i).refRejectedLogp());
            }
            double acc = r.lastMetrics().get("rewards/accuracies");
            System.out.printf("toy DPO (tiny, LoRA r8, %d pairs, %d steps): rewards/accuracies %.3f, margins %.4f →"
                    + " %.4f, final loss %.4f, reference bit-identical after training: %s%n", pairs.size(), r.steps(),
                    acc, margins.get(0), margins.get(margins.size() - 1), r.lastMetrics().get("loss"), identical);
            return identical ? acc : 0.0;
        }
    }
}
