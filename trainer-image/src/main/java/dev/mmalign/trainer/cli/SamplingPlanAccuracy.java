package dev.mmalign.trainer.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.mmalign.api.plan.MemoryPlan;
import dev.mmalign.api.plan.MemoryPlanner;
import dev.mmalign.api.plan.ModelShape;
import dev.mmalign.api.run.Precision;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.Rss;
import dev.mmalign.trainer.engine.bench.ToyData;
import dev.mmalign.trainer.engine.data.EncodedExample;
import dev.mmalign.trainer.engine.generate.GenerationConfig;
import dev.mmalign.trainer.engine.generate.Generator;
import dev.mmalign.trainer.engine.model.LlavaConfig;
import dev.mmalign.trainer.engine.model.LlavaModel;
import dev.mmalign.trainer.engine.tokenizer.ByteTokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Checks the sampling plan against a measured peak on CPU, as {@link PlanAccuracy} does for a train step: a batch of
 * sequences generated with the KV cache, weights stored fp16 (as the sample stage's default) or fp32; the peak
 * resident memory above what the process held with the model loaded, versus the plan's terms other than the weights.
 * Each case runs in a fresh JVM with a fixed, pre-touched heap.
 */
final class SamplingPlanAccuracy {
    record Case(PlanAccuracy.Size size, Precision precision) {}

    static final List<Case> CASES = List.of(new Case(new PlanAccuracy.Size(512, 6), Precision.fp16),
            new Case(new PlanAccuracy.Size(768, 8), Precision.fp16), new Case(new PlanAccuracy.Size(768, 8),
                    Precision.fp32));
    static final int SEQUENCES = 8;
    static final int PROMPT_BYTES = 240;
    static final int NEW_TOKENS = 16;
    private static final String RESULT = "sampling-plan-accuracy:";

    private SamplingPlanAccuracy() {}

    /** Largest |plan - measured| / measured in percent over {@link #CASES}. */
    static double maxErrorPct(Path work, PrintStream out) throws IOException, InterruptedException {
        double worst = 0;
        for (Case c : CASES) {
            double[] r = PlanAccuracy.runChild(SamplingPlanAccuracy.class, RESULT, String.valueOf(c.size().width()),
                    String.valueOf(c.size().layers()), c.precision().name(), work.toString());
            double err = 100 * Math.abs(r[0] - r[1]) / r[1];
            out.printf("  sampling plan check %dx%d layers, %s weights, %d sequences x %d prompt + %d new positions:"
                    + " plan %.1f MiB, measured %.1f MiB, error %.1f %%%n", c.size().width(), c.size().layers(),
                    c.precision(), SEQUENCES, (int) r[2], NEW_TOKENS, r[0] / 1048576, r[1] / 1048576, err);
            worst = Math.max(worst, err);
        }
        return worst;
    }

    /** Entry point of a measuring JVM: {@code <width> <layers> <fp16|fp32> <work dir>}. */
    public static void main(String[] args) throws IOException, InterruptedException {
        PlanAccuracy.Size size = new PlanAccuracy.Size(Integer.parseInt(args[0]), Integer.parseInt(args[1]));
        Precision precision = Precision.valueOf(args[2]);
        Path dir = Files.createDirectories(Path.of(args[3]).resolve("sample-plan-" + size.width() + "x"
                + size.layers() + "-" + precision));
        LlavaConfig config = PlanAccuracy.config(size);
        config.write(dir.resolve("config.json"));
        ModelShape shape = ModelShape.parse(Files.readString(dir.resolve("config.json")), "config.json");
        List<String> images = ToyData.writeImages(dir.resolve("images"), SEQUENCES, config.vision().imageSize());
        // The same generation on a small model first, so the process's one-time costs are in the baseline (see
        // PlanAccuracy).
        NDManager warmManager = NDManager.newBaseManager();
        try (VisionLanguageModel warm = new VisionLanguageModel(LlavaModel.initialize(
                PlanAccuracy.config(PlanAccuracy.WARM_UP), warmManager, 1), new ByteTokenizer(), warmManager)) {
            generate(warm, precision, dir, images);
        }
        NDManager manager = NDManager.newBaseManager();
        try (VisionLanguageModel vlm = new VisionLanguageModel(LlavaModel.initialize(config, manager, 1),
                new ByteTokenizer(), manager)) {
            long[] r = generate(vlm, precision, dir, images);
            long positions = r[0];
            long measured = r[1];
            MemoryPlan plan = new MemoryPlanner(shape, false).planSampling(SEQUENCES, positions, NEW_TOKENS, precision,
                    Double.MAX_VALUE);
            long planned = plan.peakBytes() - plan.bytesOf("weights");
            System.out.printf(java.util.Locale.ROOT, "%s %d %d %d%n", RESULT, planned, measured, positions);
        }
    }

    /** Stores the weights as the sample stage would, generates, and returns {positions, peak growth in bytes}. */
    private static long[] generate(VisionLanguageModel vlm, Precision precision, Path dir, List<String> images)
            throws IOException, InterruptedException {
        if (precision == Precision.fp16) {
            for (String name : new ArrayList<>(vlm.model().weights().keySet())) {
                vlm.model().storeAs(name, DataType.FLOAT16); // as the sample stage loads with fp16 precision
            }
        }
        // Prompts of one length, so no row is padded and every sequence has the planned positions.
        Random rnd = new Random(5);
        List<EncodedExample> prompts = new ArrayList<>();
        List<Random> rngs = new ArrayList<>();
        for (int i = 0; i < SEQUENCES; i++) {
            prompts.add(vlm.encode(dir.resolve("images").resolve(images.get(i)), PlanAccuracy.letters(rnd,
                    PROMPT_BYTES), null, Integer.MAX_VALUE));
            rngs.add(new Random(i));
        }
        int positions = prompts.get(0).ids().length - 1 + vlm.model().config().vision().numPatches();
        GenerationConfig cfg = new GenerationConfig(1.0, 1.0, NEW_TOKENS, 1, 0, SEQUENCES, true, false);
        long base = PlanAccuracy.settledRss();
        Rss.resetPeak();
        Generator.generateIds(vlm, prompts, rngs, cfg);
        return new long[] {positions, (Rss.peakKiB() - base) * 1024};
    }
}
