package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.ToyData;
import java.nio.file.Path;
import java.util.List;

/** Child process for SigtermTest: a long LoRA DPO run wired to SIGTERM, printing each step. */
public final class SigtermProbe {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        List<String> images = ToyData.writeImages(out.resolve("img"), 4, 16);
        TrainConfig cfg = new TrainConfig();
        cfg.lora = LoraConfig.of(4, 8);
        cfg.batchSize = 2;
        cfg.gradientAccumulation = 1;
        cfg.epochs = 100_000;
        StopSignal stop = StopSignal.onSigterm(60);
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 1)) {
            TrainResult r = new DpoTrainer(vlm, cfg, out.resolve("img")).train(ToyData.preferencePairs(images),
                    out.resolve("run"), (s, t, m) -> {
                        System.out.println("step " + s);
                        System.out.flush();
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }, stop);
            System.out.println("stopped=" + r.stopped() + " at " + r.steps());
            System.out.flush();
        }
    }
}
