package dev.mmalign.trainer.cli;

import dev.mmalign.api.bench.PaperClaim;
import dev.mmalign.trainer.evaluate.ResultsFile;
import dev.mmalign.trainer.quickstart.Quickstart;
import dev.mmalign.trainer.quickstart.QuickstartSettings;
import dev.mmalign.trainer.quickstart.ResultsTable;
import dev.mmalign.trainer.stage.ModelLoaders;
import dev.mmalign.trainer.stage.ShutdownStop;
import dev.mmalign.trainer.stage.StopSignal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mmalign-trainer quickstart --out DIR}: the paper's recipe end to end on a tiny model and the synthetic
 * world, on CPU, in minutes. Prints the comparison table and the wall time; results.json and report.html land in DIR.
 *
 * <p>SIGTERM or Ctrl-C (a pod's termination, local mode stopping its claim preparation) asks the running stages to
 * stop after the unit in hand ({@link ShutdownStop}): each keeps its work (a training saves a checkpoint), the command
 * exits 143, and running it again with the same folder resumes.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Run the whole recipe on a tiny model and synthetic data: text instruction tuning, then visual "
                + "instruction tuning, sampling, "
                + "oracle annotation, training sets, DPO / SFT / rejection sampling / SteerLM, evaluation.")
public final class QuickstartCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "Folder for everything (the storage root); reruns resume.")
    Path out;

    @Option(names = "--vit-scenes", defaultValue = "600", description = "Scenes of the base's visual instruction tuning.")
    int vitScenes;

    @Option(names = "--prompts-scenes", defaultValue = "100",
            description = "Scenes whose prompts make the preference data (about 5 prompts each).")
    int prefScenes;

    @Option(names = "--heldout-scenes", defaultValue = "100", description = "Scenes of the held-out benchmarks.")
    int heldoutScenes;

    @Option(names = "--text-train", defaultValue = "1500",
            description = "Text instructions the language model is trained on (the base's first stage).")
    int textTrain;

    @Option(names = "--text-heldout", defaultValue = "60", description = "Text-only held-out questions.")
    int textHeldout;

    @Option(names = "--lm-epochs", defaultValue = "4", description = "Epochs of the language model's text tuning.")
    int lmEpochs;

    @Option(names = "--lm-lr", defaultValue = "3e-3", description = "Learning rate of the language model's text tuning.")
    double lmLearningRate;

    @Option(names = "--extra-existence", defaultValue = "4",
            description = "Yes/no existence questions added per tuning and preference scene.")
    int extraExistence;

    @Option(names = "--vit-epochs", defaultValue = "4", description = "Epochs of visual instruction tuning.")
    int vitEpochs;

    @Option(names = "--epochs", defaultValue = "3", description = "Epochs of each alignment run.")
    int epochs;

    @Option(names = "--steerlm-epochs", defaultValue = "1",
            description = "Epochs of SteerLM (its set holds all 4 completions per prompt).")
    int steerLmEpochs;

    @Option(names = "--beta", defaultValue = "0.1", description = "DPO beta.")
    double beta;

    @Option(names = "--vit-lr", defaultValue = "1e-3", description = "Learning rate of visual instruction tuning.")
    double vitLearningRate;

    @Option(names = "--vit-lora-rank", defaultValue = "0",
            description = "LoRA rank of visual instruction tuning (projector fully trained, as LLaVA-1.5's LoRA "
                    + "variant); 0 tunes every weight.")
    int vitLoraRank;

    @Option(names = "--dpo-lr", defaultValue = "2e-4", description = "Learning rate of DPO (LoRA).")
    double dpoLearningRate;

    @Option(names = "--sft-lr", defaultValue = "1e-3",
            description = "Learning rate of SFT-from-gold, rejection sampling and SteerLM (LoRA).")
    double sftLearningRate;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature of the 4 completions.")
    double temperature;

    @Option(names = "--prepare-only", description = "Only make the world, the language model and the tuned tiny base, laid out as the "
            + "examples/quickstart manifests expect their claim (synthetic/..., models/tiny-lm, models/tiny-base), "
            + "then stop.")
    boolean prepareOnly;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the world, the models and the sampling.")
    long seed;

    @Override
    public Integer call() throws Exception {
        StopSignal stop = new StopSignal();
        try (ShutdownStop onSignal = ShutdownStop.install("quickstart", stop)) {
            int code = run(stop);
            onSignal.finished(code);
            return code;
        }
    }

    private int run(StopSignal stop) throws Exception {
        long t0 = System.nanoTime();
        QuickstartSettings settings = new QuickstartSettings(vitScenes, prefScenes, heldoutScenes, textTrain,
                textHeldout, extraExistence, lmEpochs, vitEpochs, epochs, steerLmEpochs, lmLearningRate, vitLearningRate,
                dpoLearningRate, sftLearningRate, beta, 8, vitLoraRank,
                temperature, 48, seed);
        ResultsFile.Table table;
        try {
            if (prepareOnly) {
                Quickstart.prepareClaim(out, settings, ModelLoaders.discover(), System.out, stop);
                System.out.printf(Locale.ROOT, "claim prepared: %s%nwall time: %.1f s%n", out,
                        (System.nanoTime() - t0) / 1e9);
                return 0;
            }
            table = new Quickstart(out, settings, ModelLoaders.discover(), System.out, stop).run();
        } catch (Quickstart.QuickstartException e) {
            System.err.println("quickstart: " + e.getMessage());
            if (stop.requested()) {
                System.err.println("quickstart: stopped on request; the work so far is kept in " + out
                        + ": run the same command again to resume");
            }
            return e.exitCode;
        }
        System.out.println();
        System.out.print(ResultsTable.render(table));
        System.out.println();
        System.out.println(PaperClaim.line(Quickstart.claim(table)));
        System.out.printf(Locale.ROOT, "results: %s%nreport:  %s%nwall time: %.1f s%n",
                out.resolve("results.json"), out.resolve("report.html"), (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
