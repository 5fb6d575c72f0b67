package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.engine.lora.LoraConfig;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.ToyData;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** Child process for SigtermTest: a long LoRA DPO run wired to SIGTERM, printing each step. */
public final class SigtermProbe {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        List<String> images = ToyData.writeImages(out.resolve("img"), 4, 16);
        TrainConfig cfg = TrainConfig.builder()
                .lora(LoraConfig.of(4, 8))
                .batchSize(2)
                .gradientAccumulation(1)
                .epochs(100_000)
                .build();
        // SIGTERM asks the loop to stop, then holds the exit until train() has returned (checkpoint saved).
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.set(true);
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "probe-sigterm-checkpoint"));
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
                    }, stop::get);
            System.out.println("stopped=" + r.stopped() + " at " + r.steps());
            System.out.flush();
        } finally {
            finished.countDown();
        }
    }
}
