package dev.mmalign.trainer.stage;

import dev.mmalign.trainer.sample.SampleStage;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.trainer.data.InvalidInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A child-process entry point for {@link SigtermTest}: runs a stage as a pod would (StageLauncher, with its SIGTERM
 * handler). {@code sample SPEC}: the sample stage with a model that takes a while per prompt, so the test can send
 * SIGTERM mid-run. {@code finish SPEC} / {@code invalid SPEC}: a stage that writes {@code <output>/started}, then,
 * whatever the signal says, completes its work (outcome succeeded) or finds its input invalid, about 2 s later.
 */
public final class SigtermProbe {

    public static void main(String[] args) throws Exception {
        Path spec = Path.of(args[1]);
        StageRunner.Stage stage = switch (args[0]) {
            case "sample" -> new SampleStage((m, a) -> slowModel());
            case "finish", "invalid" -> ctx -> {
                Files.createDirectories(ctx.outputDir());
                Files.writeString(ctx.outputDir().resolve("started"), "yes");
                Thread.sleep(2000);
                if (args[0].equals("invalid")) {
                    throw new InvalidInputException(ctx.specFile(), "found invalid while stopping");
                }
                StageResult r = new StageResult();
                r.outcome = StageResult.Outcome.succeeded;
                return r;
            };
            default -> throw new IllegalArgumentException(args[0]);
        };
        System.exit(StageLauncher.launch(StageName.sample, spec, stage, System.getenv()));
    }

    private static PolicyModel slowModel() {
        return new FakePolicyModel() {
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
    }
}
