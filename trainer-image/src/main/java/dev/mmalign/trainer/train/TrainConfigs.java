package dev.mmalign.trainer.train;

import dev.mmalign.trainer.engine.lora.LoraConfig;
import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.api.run.DpoSpec;
import dev.mmalign.api.run.LoraSpec;
import dev.mmalign.api.run.LoraTarget;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.run.TrainingDefaults;
import dev.mmalign.api.run.TrainingSpec;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.engine.train.DpoConfig;
import dev.mmalign.trainer.engine.train.TrainConfig;

import java.nio.file.Path;

/**
 * Maps an AlignmentRun spec onto the engine's {@link TrainConfig}, reading every value as it is: the operator has
 * filled the defaults in ({@link TrainingDefaults#resolve(AlignmentRunSpec)}), so a missing value is a stage spec
 * that did not go through it, an exit-2 error naming the field, never a second default here. Rejection sampling and
 * SteerLM are SFT on their own sets.
 */
public final class TrainConfigs {

    private TrainConfigs() {}

    /**
     * Precision means the same on every device (see {@link TrainConfig.Precision}); bf16 is refused (exit 2).
     *
     * @param specFile the stage spec, named in the error when a resolved value is missing
     */
    public static TrainConfig of(AlignmentRunSpec run, Path specFile) {
        return of(run, specFile, 1);
    }

    /**
     * As {@link #of(AlignmentRunSpec, Path)}, with each micro-batch split over up to {@code cpuShards} threads
     * ({@link TrainConfig#batchShards}) where that applies: SFT on CPU (one replica). A choice of the process, as
     * its intra-op thread count is, not of the spec: the caller knows whether the training has the machine to itself.
     */
    public static TrainConfig of(AlignmentRunSpec run, Path specFile, int cpuShards) {
        Fields f = new Fields(specFile);
        TrainingSpec t = f.required(run.training, "run.training");
        int replicas = replicas(run, ai.djl.engine.Engine.getInstance().getGpuCount());
        TrainConfig.Builder c = TrainConfig.builder()
                .method(run.method == Method.DPO ? TrainConfig.Method.DPO : TrainConfig.Method.SFT)
                .learningRate(f.required(t.learningRate, "run.training.learningRate"))
                .epochs(f.required(t.epochs, "run.training.epochs"))
                .batchSize(f.required(t.perDeviceBatchSize, "run.training.perDeviceBatchSize"))
                .gradientAccumulation(f.required(t.gradientAccumulationSteps, "run.training.gradientAccumulationSteps"))
                .maxLength(f.required(t.maxLength, "run.training.maxLength"))
                .warmupRatio(f.required(t.warmupRatio, "run.training.warmupRatio"))
                .scheduler(switch (f.required(t.scheduler, "run.training.scheduler")) {
                    case cosine -> TrainConfig.Scheduler.COSINE;
                    case linear -> TrainConfig.Scheduler.LINEAR;
                    case constant -> TrainConfig.Scheduler.CONSTANT;
                })
                .weightDecay(f.required(t.weightDecay, "run.training.weightDecay"))
                .maxGradNorm(f.required(t.maxGradNorm, "run.training.maxGradNorm"))
                .seed(f.required(t.seed, "run.training.seed"))
                .checkpointEvery(f.required(t.checkpointEverySteps, "run.training.checkpointEverySteps"))
                .keepCheckpoints(f.required(t.keepCheckpoints, "run.training.keepCheckpoints"))
                .activationCheckpointing(f.required(t.activationCheckpointing, "run.training.activationCheckpointing"))
                .replicas(replicas);
        c.precision(switch (f.required(t.precision, "run.training.precision")) {
            case fp32 -> TrainConfig.Precision.FP32;
            case fp16 -> TrainConfig.Precision.FP16;
            // Refused, never trained as something else: DJL 0.36 has no bfloat16 type (creating one aborts the JVM).
            case bf16 -> throw new InvalidInputException(specFile, "spec.training.precision: bf16 is not supported"
                    + " by this engine (its PyTorch binding, DJL 0.36, has no bfloat16 tensors); use fp16 (frozen"
                    + " weights stored in fp16, computed in fp32; bf16 checkpoints are converted at load) or fp32");
        });
        c.batchShards(run.method != Method.DPO && replicas == 1 ? Math.max(1, cpuShards) : 1);
        c.lora(lora(f.required(run.lora, "run.lora"), f));
        // The DPO settings only matter to DPO (the schema rejects them for the other methods).
        if (run.method == Method.DPO) {
            c.dpo(dpo(f.required(run.dpo, "run.dpo"), f));
        }
        return c.build();
    }

    /**
     * Data-parallel replicas: one per GPU the pod asked for ({@code resources.gpus}) and can see; one on CPU, where
     * a second replica would only share the same cores.
     */
    static int replicas(AlignmentRunSpec run, int visibleGpus) {
        if (visibleGpus < 1) {
            return 1;
        }
        int requested = run.resources != null && run.resources.gpus != null ? run.resources.gpus : 1;
        return Math.max(1, Math.min(requested, visibleGpus));
    }

    /** Null (full fine-tuning) when LoRA is switched off. */
    private static LoraConfig lora(LoraSpec s, Fields f) {
        if (!f.required(s.enabled, "run.lora.enabled")) return null;
        return LoraConfig.builder()
                .rank(f.required(s.rank, "run.lora.rank"))
                .alpha(f.required(s.alpha, "run.lora.alpha"))
                .dropout(f.required(s.dropout, "run.lora.dropout"))
                .targetModules(f.required(s.targetModules, "run.lora.targetModules").stream()
                        .map(LoraTarget::name).toList())
                .trainProjector(f.required(s.trainProjector, "run.lora.trainProjector"))
                .build();
    }

    private static DpoConfig dpo(DpoSpec s, Fields f) {
        return DpoConfig.builder()
                .beta(f.required(s.beta, "run.dpo.beta"))
                .lossType(switch (f.required(s.lossType, "run.dpo.lossType")) {
                    case sigmoid -> DpoConfig.LossType.SIGMOID;
                    case ipo -> DpoConfig.LossType.IPO;
                    case hinge -> DpoConfig.LossType.HINGE;
                })
                .labelSmoothing(f.required(s.labelSmoothing, "run.dpo.labelSmoothing"))
                .averageLogProbs(f.required(s.averageLogProbs, "run.dpo.averageLogProbs"))
                .sftWeight(f.required(s.sftLossWeight, "run.dpo.sftLossWeight"))
                .precomputeReference(f.required(s.precomputeReferenceLogProbs, "run.dpo.precomputeReferenceLogProbs"))
                .build();
    }

    /** Reads resolved values of one stage spec. */
    private record Fields(Path specFile) {
        <T> T required(T value, String field) {
            if (value == null) {
                throw new InvalidInputException(specFile, field + " is not set; the operator fills every training"
                        + " default before the train stage runs (dev.mmalign.api.run.TrainingDefaults)");
            }
            return value;
        }
    }
}
