package dev.mmalign.api.run;

import java.util.List;

/**
 * The one place where an AlignmentRun's training, LoRA and DPO settings get their defaults: the operator resolves the
 * run once (RunPlan) and the train stage reads the resolved values as they are; the in-process quickstart resolves
 * its own runs here too. The schema defaults of the spec classes are repeated here because a field can still arrive
 * null (an explicit null, or a spec built in code), and because some defaults depend on the method, which a schema
 * default cannot: DPO lr 5e-5, batch 8, grad-accum 4, max length 876 (the paper's 300 text tokens plus LLaVA-1.5's
 * 576 image positions, since maxLength counts the spliced sequence); SFT methods lr 4e-4, batch 16, grad-accum 1,
 * max length 2048.
 */
public final class TrainingDefaults {
    /** The paper's 300 text tokens plus the 576 image positions of LLaVA-1.5 (24 x 24 patches). */
    public static final int DPO_MAX_LENGTH = 300 + 576;

    private TrainingDefaults() {}

    /**
     * Fills every default of {@code run}'s training, LoRA and DPO settings, in place: {@code run} is the caller's own
     * copy (RunPlan converts the resource's spec first). {@code run.dpo} is filled for method DPO only, since the
     * schema rejects DPO settings for the other methods.
     */
    public static void resolve(AlignmentRunSpec run) {
        run.training = resolve(run.training, run.method);
        run.lora = resolve(run.lora);
        if (run.method == Method.DPO) {
            run.dpo = resolve(run.dpo);
        }
    }

    /** A copy of {@code spec} (never null) with every field filled, the per-method ones by {@code method}. */
    public static TrainingSpec resolve(TrainingSpec spec, Method method) {
        TrainingSpec in = spec == null ? new TrainingSpec() : spec;
        boolean dpo = method == Method.DPO;
        TrainingSpec out = new TrainingSpec();
        out.learningRate = in.learningRate != null ? in.learningRate : (dpo ? 5e-5 : 4e-4);
        out.perDeviceBatchSize = in.perDeviceBatchSize != null ? in.perDeviceBatchSize : (dpo ? 8 : 16);
        out.gradientAccumulationSteps = in.gradientAccumulationSteps != null ? in.gradientAccumulationSteps : (dpo ? 4 : 1);
        out.maxLength = in.maxLength != null ? in.maxLength : (dpo ? DPO_MAX_LENGTH : 2048);
        out.epochs = or(in.epochs, 3);
        out.warmupRatio = or(in.warmupRatio, 0.03);
        out.scheduler = or(in.scheduler, Scheduler.cosine);
        out.weightDecay = or(in.weightDecay, 0.0);
        out.maxGradNorm = or(in.maxGradNorm, 1.0);
        out.precision = or(in.precision, Precision.fp16);
        out.seed = or(in.seed, 42L);
        out.checkpointEverySteps = or(in.checkpointEverySteps, 100);
        out.keepCheckpoints = or(in.keepCheckpoints, 2);
        // On by default: the paper's 13B run needs it to fit its GPUs (ISSUE 11: ~110 GB for one pair in fp32
        // without it); a small model that fits either way pays about a third more compute and loses nothing else.
        out.activationCheckpointing = or(in.activationCheckpointing, true);
        return out;
    }

    /** A copy of {@code spec} (never null) with every field filled: LoRA on, the paper's rank 128 and alpha 256. */
    public static LoraSpec resolve(LoraSpec spec) {
        LoraSpec in = spec == null ? new LoraSpec() : spec;
        LoraSpec out = new LoraSpec();
        out.enabled = or(in.enabled, true);
        out.rank = or(in.rank, 128);
        out.alpha = or(in.alpha, 256.0);
        out.dropout = or(in.dropout, 0.05);
        out.targetModules = or(in.targetModules, List.of(LoraTarget.values()));
        out.trainProjector = or(in.trainProjector, false);
        return out;
    }

    /**
     * A copy of {@code spec} (never null) with every field filled: the paper's beta 0.1, sigmoid loss, summed
     * log-probabilities, reference precomputed.
     */
    public static DpoSpec resolve(DpoSpec spec) {
        DpoSpec in = spec == null ? new DpoSpec() : spec;
        DpoSpec out = new DpoSpec();
        out.beta = or(in.beta, 0.1);
        out.lossType = or(in.lossType, LossType.sigmoid);
        out.labelSmoothing = or(in.labelSmoothing, 0.0);
        out.averageLogProbs = or(in.averageLogProbs, false);
        out.precomputeReferenceLogProbs = or(in.precomputeReferenceLogProbs, true);
        out.sftLossWeight = or(in.sftLossWeight, 0.0);
        return out;
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
