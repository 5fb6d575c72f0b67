package dev.mmalign.trainer.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.util.cuda.CudaUtils;
import dev.mmalign.api.plan.AttentionChunking;
import dev.mmalign.api.plan.MemoryPlan;
import dev.mmalign.api.plan.MemoryPlanner;
import dev.mmalign.api.plan.ModelShape;
import dev.mmalign.api.plan.TrainingWorkload;
import dev.mmalign.api.run.LoraTarget;
import dev.mmalign.api.run.Precision;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.Rss;
import dev.mmalign.trainer.engine.bench.ToyData;
import dev.mmalign.trainer.engine.data.EncodedExample;
import dev.mmalign.trainer.engine.lora.LoraConfig;
import dev.mmalign.trainer.engine.model.LlavaConfig;
import dev.mmalign.trainer.engine.model.LlavaModel;
import dev.mmalign.trainer.engine.tokenizer.ByteTokenizer;
import dev.mmalign.trainer.engine.train.SftTrainer;
import dev.mmalign.trainer.engine.train.TrainConfig;
import dev.mmalign.trainer.engine.train.WeightStorage;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The GPU check: trains a few LoRA SFT steps with fp16-stored frozen weights and activation checkpointing on random
 * weights, for the tiny preset and for a model shaped like a real checkpoint's {@code config.json} (e.g. LLaVA-1.5-7B)
 * cut to a few layers, and prints per model the step time, tokens/s and the peak device memory next to the memory
 * planner's figure. On a GPU the peak is the device's used memory (cudaMemGetInfo, sampled every millisecond while
 * training, above what was used before the model existed); on CPU ({@code --device cpu}, what the test runs) it is
 * the resident set's high-water mark above the same point.
 */
@Command(name = "gpu-check", mixinStandardHelpOptions = true,
        description = "Train a few steps of the tiny model and of a real model's shape (few layers, random weights) with"
                + " fp16-stored weights; print step time, tokens/s and peak device memory versus the plan.")
public final class GpuCheckCommand implements Callable<Integer> {
    @Option(names = "--device", defaultValue = "gpu", description = "gpu (default; fails without one) or cpu.")
    String device;

    @Option(names = "--model-config", description = "A llava-hf config.json whose shape to check besides the tiny"
            + " preset (e.g. examples/paper/llava-1.5-7b-hf.config.json); its layer counts are cut to the two below.")
    Path modelConfig;

    @Option(names = "--text-layers", defaultValue = "2", description = "Decoder layers of the shaped model (default ${DEFAULT-VALUE}).")
    int textLayers;

    @Option(names = "--vision-layers", defaultValue = "2", description = "Vision layers of the shaped model (default ${DEFAULT-VALUE}).")
    int visionLayers;

    @Option(names = "--batch", defaultValue = "2", description = "Examples per step (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", defaultValue = "4", description = "Steps per model; the first is a warm-up (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--text-bytes", defaultValue = "128", description = "Response bytes per example (default ${DEFAULT-VALUE}).")
    int textBytes;

    private final PrintStream out;

    public GpuCheckCommand() {
        this(System.out);
    }

    GpuCheckCommand(PrintStream out) {
        this.out = out;
    }

    /** One model's figures. */
    record Result(String model, double stepSeconds, double tokensPerSecond, long measuredBytes, MemoryPlan plan) {}

    @Override
    public Integer call() throws Exception {
        Device dev;
        if (device.equals("cpu")) {
            dev = Device.cpu();
        } else if (device.equals("gpu")) {
            if (Engine.getInstance().getGpuCount() == 0) {
                System.err.println("gpu-check: no GPU visible to libtorch (engine " + Engine.getInstance().getEngineName()
                        + " " + Engine.getInstance().getVersion() + "); is PYTORCH_FLAVOR a CUDA build? --device cpu"
                        + " runs the same check on CPU");
                return ExitCodes.INVALID_INPUT;
            }
            dev = Device.gpu();
        } else {
            System.err.println("gpu-check: --device must be gpu or cpu, not " + device);
            return ExitCodes.INVALID_INPUT;
        }
        if (steps < 2 || batch < 1) {
            System.err.println("gpu-check: --steps must be at least 2 (one warm-up) and --batch at least 1");
            return ExitCodes.INVALID_INPUT;
        }
        out.printf("gpu-check on %s (%s %s)%n", dev, Engine.getInstance().getEngineName(),
                Engine.getInstance().getVersion());
        Path work = Files.createTempDirectory("mmalign-gpu-check");
        List<Result> results = new ArrayList<>();
        results.add(run("tiny", withByteTokens(LlavaConfig.preset("tiny")), dev, work));
        if (modelConfig != null) {
            LlavaConfig full = LlavaConfig.read(modelConfig);
            results.add(run(modelConfig.getFileName() + " cut to " + textLayers + "+" + visionLayers + " layers",
                    withByteTokens(cut(full, textLayers, visionLayers)), dev, work));
        }
        for (Result r : results) {
            long planned = r.plan().peakBytes();
            out.printf(Locale.ROOT, "gpu-check: model=\"%s\" step_s=%.3f tokens_per_s=%.1f peak_gib=%.3f"
                    + " plan_gib=%.3f plan_err_pct=%.1f%n", r.model(), r.stepSeconds(), r.tokensPerSecond(),
                    r.measuredBytes() / MemoryPlan.GIB, planned / MemoryPlan.GIB,
                    100.0 * (planned - r.measuredBytes()) / r.measuredBytes());
        }
        return 0;
    }

    /** The config with fewer layers (random weights: the shape of every layer is the real one's). */
    static LlavaConfig cut(LlavaConfig c, int textLayers, int visionLayers) {
        LlavaConfig.VisionConfig v = c.vision();
        LlavaConfig.TextConfig t = c.text();
        return new LlavaConfig(new LlavaConfig.VisionConfig(v.hiddenSize(), v.intermediateSize(), visionLayers,
                v.numHeads(), v.imageSize(), v.patchSize(), v.layerNormEps(), v.hiddenAct()),
                new LlavaConfig.TextConfig(t.vocabSize(), t.hiddenSize(), t.intermediateSize(), textLayers, t.numHeads(),
                        t.numKvHeads(), t.rmsNormEps(), t.ropeTheta(), t.maxPositions(), t.tieWordEmbeddings()),
                c.imageTokenIndex(), c.projectorHiddenAct(), c.visionFeatureLayer(), c.padTokenId(), c.bosTokenId(),
                c.eosTokenId());
    }

    /** The byte tokenizer's special ids (its vocabulary fits in any real one's). */
    private static LlavaConfig withByteTokens(LlavaConfig c) {
        return new LlavaConfig(c.vision(), c.text(), 3, c.projectorHiddenAct(), c.visionFeatureLayer(), 0, 1, 2);
    }

    private Result run(String name, LlavaConfig config, Device dev, Path work) throws Exception {
        Path dir = Files.createDirectories(work.resolve("model-" + name.hashCode()));
        config.write(dir.resolve("config.json"));
        ModelShape shape = ModelShape.parse(Files.readString(dir.resolve("config.json")), "config.json");
        List<String> images = ToyData.writeImages(dir.resolve("images"), batch * steps, config.vision().imageSize());
        List<SftExampleRecord> data = ToyData.randomText(images, 16, textBytes, 5);
        LoraConfig lora = LoraConfig.builder().rank(8).alpha(16).dropout(0.05).build();
        TrainConfig cfg = TrainConfig.builder().lora(lora).batchSize(batch).gradientAccumulation(1).epochs(1)
                .maxSteps(steps).learningRate(1e-4).checkpointEvery(0).maxLength(4096)
                .precision(TrainConfig.Precision.FP16).activationCheckpointing(true).build();
        boolean gpu = dev.isGpu();
        try (NDManager manager = NDManager.newBaseManager(dev)) {
            long before = used(dev);
            VisionLanguageModel vlm = new VisionLanguageModel(LlavaModel.initialize(config, manager, 1),
                    new ByteTokenizer(), manager);
            WeightStorage.apply(vlm.model(), cfg); // as the training loop will: the fp32 initial copies go now
            EncodedExample probe = vlm.encode(dir.resolve("images").resolve(images.get(0)), data.get(0).prompt(),
                    data.get(0).completion(), Integer.MAX_VALUE);
            int positions = probe.ids().length - 1 + config.vision().numPatches();
            AtomicLong peak = new AtomicLong(used(dev));
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(used(dev), Math::max);
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "gpu-check-memory");
            sampler.setDaemon(true);
            if (!gpu) {
                Rss.resetPeak();
            }
            sampler.start();
            List<Double> seconds = new ArrayList<>();
            long[] last = {System.nanoTime()};
            new SftTrainer(vlm, cfg, dir.resolve("images")).train(data, dir.resolve("run"), (step, total, m) -> {
                seconds.add((System.nanoTime() - last[0]) / 1e9);
                last[0] = System.nanoTime();
            }, null);
            sampler.interrupt();
            sampler.join();
            long measured = (gpu ? peak.get() : Rss.peakKiB() * 1024) - before;
            long parameters = vlm.model().parameterCount();
            vlm.close();
            double step = seconds.subList(1, seconds.size()).stream().mapToDouble(Double::doubleValue).average()
                    .orElse(Double.NaN);
            TrainingWorkload w = new TrainingWorkload(false, batch, positions, 8, EnumSet.allOf(LoraTarget.class),
                    true, false, Precision.fp16, true, false, AttentionChunking.DEFAULT_QUERY_ROWS);
            MemoryPlan plan = new MemoryPlanner(shape, gpu).planTraining(w, Double.MAX_VALUE);
            out.printf(Locale.ROOT, "%s: %,d parameters, %d x %d positions per step%n", name,
                    parameters, batch, positions);
            out.print(plan.breakdown());
            return new Result(name, step, batch * positions / step, measured, plan);
        }
    }

    /** Bytes in use: the device's (all processes) on a GPU, this process's resident set on CPU. */
    private static long used(Device dev) {
        return dev.isGpu() ? CudaUtils.getGpuMemory(dev).getUsed() : Rss.currentKiB() * 1024;
    }
}
