package dev.mmalign.trainer.train;

import dev.mmalign.trainer.engine.lora.LoraConfig;
import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.api.run.DpoSpec;
import dev.mmalign.api.run.LoraSpec;
import dev.mmalign.api.run.LoraTarget;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.run.Precision;
import dev.mmalign.api.run.TrainingDefaults;
import dev.mmalign.api.run.TrainingSpec;
import dev.mmalign.trainer.engine.train.DpoConfig;
import dev.mmalign.trainer.engine.train.TrainConfig;

import java.io.PrintStream;
import java.util.List;

/**
 * Maps an AlignmentRun spec onto the engine's {@link TrainConfig}, after filling the paper's per-method defaults in
 * ({@link TrainingDefaults#resolve}). Rejection sampling and SteerLM are SFT on their own sets.
 */
public final class TrainConfigs {

    private TrainConfigs() {}

    /**
     * @param gpu whether the engine runs on a GPU; on CPU every precision becomes fp32 (said on {@code log}), since a
     *            CPU pod asked for bf16 should still train rather than fail
     */
    public static TrainConfig of(AlignmentRunSpec run, boolean gpu, PrintStream log) {
        TrainingSpec t = TrainingDefaults.resolve(run.training, run.method);
        TrainConfig c = new TrainConfig();
        c.method = run.method == Method.DPO ? "dpo" : "sft";
        c.learningRate = t.learningRate;
        c.epochs = orDefault(t.epochs, 3);
        c.batchSize = t.perDeviceBatchSize;
        c.gradientAccumulation = t.gradientAccumulationSteps;
        c.maxLength = t.maxLength;
        c.warmupRatio = orDefault(t.warmupRatio, 0.03);
        c.scheduler = t.scheduler == null ? "cosine" : t.scheduler.name();
        c.weightDecay = orDefault(t.weightDecay, 0.0);
        c.maxGradNorm = orDefault(t.maxGradNorm, 1.0);
        c.seed = orDefault(t.seed, 42L);
        c.checkpointEvery = orDefault(t.checkpointEverySteps, 100);
        c.keepCheckpoints = orDefault(t.keepCheckpoints, 2);
        Precision asked = t.precision == null ? Precision.bf16 : t.precision;
        if (gpu || asked == Precision.fp32) {
            c.precision = asked.name();
        } else {
            c.precision = "fp32";
            log.println("train: precision " + asked + " requested, but this pod has no GPU: training in fp32");
        }
        c.lora = lora(run.lora);
        c.dpo = dpo(run.dpo);
        return c;
    }

    /** Null (full fine-tuning) when LoRA is switched off. */
    static LoraConfig lora(LoraSpec spec) {
        LoraSpec s = spec == null ? new LoraSpec() : spec;
        if (Boolean.FALSE.equals(s.enabled)) return null;
        LoraConfig c = LoraConfig.of(orDefault(s.rank, 128), orDefault(s.alpha, 256.0));
        c.dropout = orDefault(s.dropout, 0.05);
        List<LoraTarget> targets = s.targetModules == null ? List.of(LoraTarget.values()) : s.targetModules;
        c.targetModules = targets.stream().map(LoraTarget::name).toList();
        c.trainProjector = Boolean.TRUE.equals(s.trainProjector);
        return c;
    }

    static DpoConfig dpo(DpoSpec spec) {
        DpoSpec s = spec == null ? new DpoSpec() : spec;
        DpoConfig c = new DpoConfig();
        c.beta = orDefault(s.beta, 0.1);
        c.lossType = s.lossType == null ? "sigmoid" : s.lossType.name();
        c.labelSmoothing = orDefault(s.labelSmoothing, 0.0);
        c.averageLogProbs = Boolean.TRUE.equals(s.averageLogProbs);
        c.sftWeight = orDefault(s.sftLossWeight, 0.0);
        c.precomputeReference = !Boolean.FALSE.equals(s.precomputeReferenceLogProbs);
        return c;
    }

    private static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
