package dev.mmalign.trainer.cli;

import dev.mmalign.trainer.stage.StageLauncher;
import dev.mmalign.trainer.train.TrainStage;
import dev.mmalign.api.stage.StageName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code mmalign-trainer train --spec stage.json}: one AlignmentRun (DPO, SFT, rejection sampling or SteerLM). */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train with DPO, SFT, rejection sampling or SteerLM (LoRA or full), resumable from checkpoints; "
                + "writes the PEFT adapter and the merged model.")
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--spec", required = true, description = "Stage spec JSON (mounted at /etc/mmalign/stage.json).")
    Path spec;

    @Override
    public Integer call() {
        return StageLauncher.launch(StageName.train, spec, new TrainStage(System.err), System.getenv());
    }
}
