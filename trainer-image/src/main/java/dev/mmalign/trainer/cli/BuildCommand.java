package dev.mmalign.trainer.cli;

import dev.mmalign.trainer.build.BuildStage;
import dev.mmalign.trainer.stage.ModelLoaders;
import dev.mmalign.trainer.stage.PolicyModelLoader;
import dev.mmalign.trainer.stage.StageLauncher;
import dev.mmalign.api.stage.StageName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code mmalign-trainer build --spec stage.json}: the DPO, rejection-sampling, SteerLM and gold-SFT sets. */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Build the training sets from the annotations (reference log-probs included).")
public final class BuildCommand implements Callable<Integer> {

    @Option(names = "--spec", required = true, description = "Stage spec JSON (mounted at /etc/mmalign/stage.json).")
    Path spec;

    private final PolicyModelLoader loader;

    public BuildCommand() {
        this(ModelLoaders.discover());
    }

    public BuildCommand(PolicyModelLoader loader) {
        this.loader = loader;
    }

    @Override
    public Integer call() {
        return StageLauncher.launch(StageName.build, spec, new BuildStage(loader), System.getenv());
    }
}
