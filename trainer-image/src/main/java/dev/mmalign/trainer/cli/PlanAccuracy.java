package dev.mmalign.trainer.cli;

import ai.djl.ndarray.NDManager;
import dev.mmalign.api.plan.AttentionChunking;
import dev.mmalign.api.plan.MemoryPlan;
import dev.mmalign.api.plan.MemoryPlanner;
import dev.mmalign.api.plan.ModelShape;
import dev.mmalign.api.plan.RecomputeSlicing;
import dev.mmalign.api.plan.TrainingWorkload;
import dev.mmalign.api.run.LoraTarget;
import dev.mmalign.api.run.Precision;
import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.Rss;
import dev.mmalign.trainer.engine.bench.ToyData;
import dev.mmalign.trainer.engine.data.EncodedExample;
import dev.mmalign.trainer.engine.lora.LoraConfig;
import dev.mmalign.trainer.engine.model.LlavaConfig;
import dev.mmalign.trainer.engine.model.LlavaModel;
import dev.mmalign.trainer.engine.tokenizer.ByteTokenizer;
import dev.mmalign.trainer.engine.train.DpoTrainer;
import dev.mmalign.trainer.engine.train.TrainConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;

/**
 * Checks the memory planner against a measured peak on CPU: for models of several sizes, a LoRA DPO step's peak
 * resident memory above what the process held before the step (STACK.md, "Peak memory on CPU": the high-water mark
 * reset through /proc/self/clear_refs, glibc told to give freed memory back) versus the plan's step terms
 * (trainable state, activations and the backward peak). The weights exist before the step, so they are in the
 * baseline; they are a parameter count, exact by construction.
 *
 * <p>Each size is measured in a fresh JVM of its own with a fixed, pre-touched heap. Measured one after the other in
 * one process, the later sizes read 20–45 % low: memory the earlier models left (glibc arenas, direct buffers awaiting
 * the garbage collector's Cleaner) was given back or reused during the measured step, so the step's own growth was
 * partly hidden; and a Java heap growing during the step (images, tokenising) counted as step memory.
 */
final class PlanAccuracy {
    /** Java heap of each measuring JVM: fixed and touched at start, so it never moves the resident set. */
    static final String CHILD_HEAP = "512m";
    /** Decoder width and depth of the measured models (vision tower and vocabulary stay tiny). */
    record Size(int width, int layers) {}

    static final List<Size> SIZES = List.of(new Size(256, 4), new Size(512, 6), new Size(768, 8));
    /** Pairs per step without checkpointing (4 sequences). */
    static final int PAIRS = 2;
    /**
     * Pairs per step with checkpointing: 8 sequences, so blocks run and are recomputed in two slices of
     * {@link RecomputeSlicing#DEFAULT_SEQUENCES}, as the planner assumes.
     */
    static final int PAIRS_CHECKPOINTED = 4;
    static final int TEXT_BYTES = 96;

    private PlanAccuracy() {}

    /**
     * Largest |plan - measured| / measured in percent over {@link #SIZES}, each without and with activation
     * checkpointing.
     */
    static double maxErrorPct(Path work, PrintStream out) throws IOException, InterruptedException {
        double worst = 0;
        for (boolean checkpointing : new boolean[] {false, true}) {
            for (Size s : SIZES) {
                double[] r = measureInFreshJvm(s, checkpointing, work);
                double err = 100 * Math.abs(r[0] - r[1]) / r[1];
                out.printf("  plan check %dx%d layers, DPO LoRA r8, %d pairs x %d positions, %s: plan %.1f MiB,"
                        + " measured %.1f MiB, error %.1f %%%n", s.width(), s.layers(), pairs(checkpointing),
                        (int) r[2], checkpointing ? "checkpointing" : "no checkpointing", r[0] / 1048576,
                        r[1] / 1048576, err);
                worst = Math.max(worst, err);
            }
        }
        return worst;
    }

    static int pairs(boolean checkpointing) {
        return checkpointing ? PAIRS_CHECKPOINTED : PAIRS;
    }

    /**
     * Runs {@link #main} for one size in a new JVM (same class path, glibc told to return freed memory) and parses
     * its last line.
     */
    static double[] measureInFreshJvm(Size s, boolean checkpointing, Path work)
            throws IOException, InterruptedException {
        return runChild(PlanAccuracy.class, RESULT, String.valueOf(s.width()), String.valueOf(s.layers()),
                String.valueOf(checkpointing), work.toString());
    }

    /**
     * Runs {@code main}'s class in a new JVM (same class path, fixed pre-touched heap, glibc told to return freed
     * memory) with {@code args} and parses the numbers of its last line starting with {@code result}.
     */
    static double[] runChild(Class<?> main, String result, String... args)
            throws IOException, InterruptedException {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(javaBin.toString(), "-Xms" + CHILD_HEAP, "-Xmx" + CHILD_HEAP,
                "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("MALLOC_MMAP_THRESHOLD_", "65536");
        pb.environment().put("MALLOC_TRIM_THRESHOLD_", "65536");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String last = null;
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith(result)) {
                    last = line;
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || last == null) {
            throw new IOException(main.getSimpleName() + " " + String.join(" ", args) + ": measuring JVM exited " + rc);
        }
        String[] f = last.substring(result.length()).trim().split(" ");
        return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
    }

    private static final String RESULT = "plan-accuracy:";

    /**
     * Entry point of a measuring JVM: {@code <width> <layers> <checkpointing> <work dir>}; prints planned, measured,
     * positions.
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        double[] r = measure(new Size(Integer.parseInt(args[0]), Integer.parseInt(args[1])),
                Boolean.parseBoolean(args[2]), Path.of(args[3]));
        System.out.printf(java.util.Locale.ROOT, "%s %.0f %.0f %.0f%n", RESULT, r[0], r[1], r[2]);
    }

    static LlavaConfig config(Size s) {
        int heads = s.width() / 64;
        int intermediate = (s.width() * 11 / 4 + 63) / 64 * 64;
        return new LlavaConfig(new LlavaConfig.VisionConfig(128, 256, 2, 2, 32, 8, 1e-5, "quick_gelu"),
                new LlavaConfig.TextConfig(260, s.width(), intermediate, s.layers(), heads, heads, 1e-5, 10000.0,
                        1024, false), 3, "gelu", -2, 0, 1, 2);
    }

    /** {planned bytes, measured bytes, positions per sequence} of one training step. */
    static double[] measure(Size s, boolean checkpointing, Path work) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve("plan-" + s.width() + "x" + s.layers()
                + (checkpointing ? "-ckpt" : "")));
        int pairCount = pairs(checkpointing);
        LlavaConfig config = config(s);
        config.write(dir.resolve("config.json"));
        ModelShape shape = ModelShape.parse(Files.readString(dir.resolve("config.json")), "config.json");
        List<String> images = ToyData.writeImages(dir.resolve("images"), pairCount, config.vision().imageSize());
        Random rnd = new Random(11);
        List<DpoPairRecord> pairs = new ArrayList<>();
        for (int i = 0; i < pairCount; i++) {
            // Fixed lengths, so every sequence has the planned number of positions (no padding); the reference
            // log-probs are set so no extra pass runs; their values do not matter for memory.
            pairs.add(new DpoPairRecord("p" + i, List.of(images.get(i)), letters(rnd, 16), letters(rnd, TEXT_BYTES),
                    letters(rnd, TEXT_BYTES), null, null, -1.0, -1.0));
        }
        // The same step on a small model first: what any first step costs the process once (compiled code, libtorch's
        // and autograd's threads, allocator arenas: about 20 MiB here, none of it device memory) is then in the
        // baseline, and the measured step's growth is its tensors.
        NDManager warmManager = NDManager.newBaseManager();
        try (VisionLanguageModel warm = new VisionLanguageModel(LlavaModel.initialize(config(WARM_UP), warmManager, 1),
                new ByteTokenizer(), warmManager)) {
            new DpoTrainer(warm, trainConfig(pairCount, checkpointing), dir.resolve("images")).train(pairs,
                    dir.resolve("warm-up"), null, () -> false);
        }
        NDManager manager = NDManager.newBaseManager();
        try (VisionLanguageModel vlm = new VisionLanguageModel(LlavaModel.initialize(config, manager, 1),
                new ByteTokenizer(), manager)) {
            EncodedExample probe = vlm.encode(dir.resolve("images").resolve(images.get(0)), pairs.get(0).prompt(),
                    pairs.get(0).chosen(), Integer.MAX_VALUE);
            int positions = probe.ids().length - 1 + config.vision().numPatches();
            TrainConfig cfg = trainConfig(pairCount, checkpointing);
            // The first step is measured, from before train(): LoRA's weights and gradients and AdamW's moments
            // are created in it and planned exactly (16 B per parameter); measuring a later step instead lets it
            // reuse memory the allocator kept from the first, and under-reads the peak.
            long base = settledRss();
            Rss.resetPeak();
            new DpoTrainer(vlm, cfg, dir.resolve("images")).train(pairs, dir.resolve("run"), null, () -> false);
            long measured = (Rss.peakKiB() - base) * 1024;
            TrainingWorkload w = new TrainingWorkload(true, pairCount, positions, 8, EnumSet.allOf(LoraTarget.class),
                    true, false, Precision.fp32, checkpointing, false, AttentionChunking.DEFAULT_QUERY_ROWS);
            MemoryPlan plan = new MemoryPlanner(shape, false).planTraining(w, Double.MAX_VALUE);
            long planned = plan.peakBytes() - plan.bytesOf("weights");
            return new double[] {planned, measured, positions};
        }
    }

    /** The decoder of the warm-up model (the vision tower is the measured models'). */
    static final Size WARM_UP = new Size(64, 2);

    private static TrainConfig trainConfig(int pairCount, boolean checkpointing) {
        LoraConfig lora = LoraConfig.builder().rank(8).alpha(16).dropout(0.05).build();
        return TrainConfig.builder().lora(lora).batchSize(pairCount).gradientAccumulation(1).epochs(1).maxSteps(1)
                .learningRate(1e-4).checkpointEvery(0).maxLength(4096).activationCheckpointing(checkpointing).build();
    }

    /**
     * The resident set once garbage from building the model has gone: the arrays it built from Java data borrowed
     * direct buffers that only the Cleaner frees, on its own thread, after a collection. Collects until the resident
     * set stops falling (at most 20 rounds).
     */
    static long settledRss() throws InterruptedException {
        long previous = Long.MAX_VALUE;
        for (int round = 0; round < 20; round++) {
            System.gc();
            Thread.sleep(100);
            long now = Rss.currentKiB();
            if (previous - now < 1024) {
                return now;
            }
            previous = now;
        }
        return Rss.currentKiB();
    }

    static String letters(Random rnd, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append((char) ('a' + rnd.nextInt(26)));
        }
        return b.toString();
    }
}
