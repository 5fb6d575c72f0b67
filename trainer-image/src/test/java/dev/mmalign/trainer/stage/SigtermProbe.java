package dev.mmalign.trainer.stage;

import dev.mmalign.api.stage.StageName;

import java.nio.file.Path;
import java.util.List;

/**
 * A child-process entry point for {@link SigtermTest}: runs the sample stage as a pod would (StageLauncher, with its
 * SIGTERM handler) with a model that takes a while per prompt, so the test can send SIGTERM mid-run.
 */
public final class SigtermProbe {

    public static void main(String[] args) {
        PolicyModel slow = new FakePolicyModel() {
            @Override
            public synchronized List<String> generate(Path image, List<ChatMessage> c, GenerationSettings s) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.generate(image, c, s);
            }
        };
        int code = StageLauncher.launch(StageName.sample, Path.of(args[0]), new SampleStage((m, a) -> slow),
                System.getenv());
        System.exit(code);
    }
}
