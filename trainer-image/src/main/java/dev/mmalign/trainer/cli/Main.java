package dev.mmalign.trainer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the trainer image: {@code mmalign-trainer <command>}. A thin dispatcher; each stage is a
 * subcommand class of its own.
 */
@Command(name = "mmalign-trainer", mixinStandardHelpOptions = true, version = "mmalign-trainer 0.1.0",
        description = "Runs one mmalign stage (or the engine benchmark).",
        subcommands = {SampleCommand.class, AnnotateCommand.class, BuildCommand.class, TrainCommand.class,
                EvaluateCommand.class, JudgeCheckCommand.class, QuickstartCommand.class, BenchCommand.class,
                PlanCommand.class, PairsCommand.class, GpuCheckCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        EngineDefaults.apply();
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
