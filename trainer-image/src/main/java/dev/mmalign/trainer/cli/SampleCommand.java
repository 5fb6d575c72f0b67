package dev.mmalign.trainer.cli;

import dev.mmalign.trainer.sample.SampleStage;
import dev.mmalign.trainer.stage.ModelLoaders;
import dev.mmalign.trainer.stage.PolicyModelLoader;
import dev.mmalign.trainer.stage.StageLauncher;
import dev.mmalign.api.stage.StageName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mmalign-trainer sample --spec stage.json}: K completions per prompt of this shard. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Sample K completions per prompt with the policy model (resumable, shard-aware).")
public final class SampleCommand implements Callable<Integer> {

    @Option(names = "--spec", required = true, description = "Stage spec JSON (mounted at /etc/mmalign/stage.json).")
    Path spec;

    private final PolicyModelLoader loader;

    public SampleCommand() {
        this(ModelLoaders.discover());
    }

    public SampleCommand(PolicyModelLoader loader) {
        this.loader = loader;
    }

    @Override
    public Integer call() {
        Map<String, String> env = System.getenv();
        return StageLauncher.launch(StageName.sample, spec, new SampleStage(loader, env), env);
    }
}
