package dev.mmalign.trainer.cli;

import dev.mmalign.api.stage.StageName;
import dev.mmalign.trainer.evaluate.EvaluateStage;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.net.Sleeper;
import dev.mmalign.trainer.stage.ModelLoaders;
import dev.mmalign.trainer.stage.PolicyModelLoader;
import dev.mmalign.trainer.stage.StageLauncher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code mmalign-trainer evaluate --spec stage.json}: models × benchmarks into results.json and report.html. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate models on benchmarks (POPE, MMBench, MM-Vet, LLaVA-Bench, MT-Bench, AlpacaEval, "
                + "exact-match), write per-sample outputs, results.json and an HTML report.")
public final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--spec", required = true, description = "Stage spec JSON (mounted at /etc/mmalign/stage.json).")
    Path spec;

    @Option(names = "--backoff-base-ms", hidden = true, defaultValue = "1000", description = "First judge retry delay.")
    long backoffBaseMillis;

    private final PolicyModelLoader loader;

    public EvaluateCommand() {
        this(ModelLoaders.discover());
    }

    public EvaluateCommand(PolicyModelLoader loader) {
        this.loader = loader;
    }

    @Override
    public Integer call() {
        JudgeTuning tuning = new JudgeTuning(backoffBaseMillis, 60_000, Sleeper.REAL, null, null);
        return StageLauncher.launch(StageName.evaluate, spec, new EvaluateStage(loader, System.getenv(), tuning),
                System.getenv());
    }
}
