package dev.mmalign.trainer.cli;

import dev.mmalign.api.stage.StageName;
import dev.mmalign.trainer.annotate.AnnotateStage;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.net.Sleeper;
import dev.mmalign.trainer.stage.StageLauncher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code mmalign-trainer annotate --spec stage.json}: rate the completions of this shard's prompts. */
@Command(name = "annotate", mixinStandardHelpOptions = true,
        description = "Rate completions on the HelpSteer attributes (vertex-gemini, openai-compatible, import, oracle).")
public final class AnnotateCommand implements Callable<Integer> {

    @Option(names = "--spec", required = true, description = "Stage spec JSON (mounted at /etc/mmalign/stage.json).")
    Path spec;

    @Option(names = "--backoff-base-ms", hidden = true, defaultValue = "1000",
            description = "First retry delay (tests and local mode shorten it).")
    long backoffBaseMillis;

    @Option(names = "--backoff-max-ms", hidden = true, defaultValue = "60000", description = "Longest retry delay.")
    long backoffMaxMillis;

    @Option(names = "--judge-timeout-ms", hidden = true,
            description = "Request timeout overriding the spec's timeoutSeconds (tests).")
    Integer timeoutMillis;

    @Override
    public Integer call() {
        JudgeTuning tuning = new JudgeTuning(backoffBaseMillis, backoffMaxMillis, Sleeper.REAL,
                timeoutMillis, null);
        return StageLauncher.launch(StageName.annotate, spec, new AnnotateStage(System.getenv(), tuning),
                System.getenv());
    }
}
