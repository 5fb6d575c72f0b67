package dev.mmalign.api.run;

/**
 * The paper's per-method hyper-parameters for the training fields the schema leaves unset (a schema default cannot
 * depend on another field). DPO: lr 5e-5, batch 8, grad-accum 4, max length 876 (the paper's 300 text tokens
 * plus LLaVA-1.5's 576 image positions, since maxLength counts the spliced sequence); SFT methods: lr 4e-4, batch 16,
 * grad-accum 1, max length 2048.
 */
public final class TrainingDefaults {
    /** The paper's 300 text tokens plus the 576 image positions of LLaVA-1.5 (24 x 24 patches). */
    public static final int DPO_MAX_LENGTH = 300 + 576;


    private TrainingDefaults() {}

    /** A copy of {@code spec} (never null) with every method-dependent default filled in. */
    public static TrainingSpec resolve(TrainingSpec spec, Method method) {
        TrainingSpec in = spec == null ? new TrainingSpec() : spec;
        boolean dpo = method == Method.DPO;
        TrainingSpec out = new TrainingSpec();
        out.learningRate = in.learningRate != null ? in.learningRate : (dpo ? 5e-5 : 4e-4);
        out.perDeviceBatchSize = in.perDeviceBatchSize != null ? in.perDeviceBatchSize : (dpo ? 8 : 16);
        out.gradientAccumulationSteps = in.gradientAccumulationSteps != null ? in.gradientAccumulationSteps : (dpo ? 4 : 1);
        out.maxLength = in.maxLength != null ? in.maxLength : (dpo ? DPO_MAX_LENGTH : 2048);
        out.epochs = in.epochs;
        out.warmupRatio = in.warmupRatio;
        out.scheduler = in.scheduler;
        out.weightDecay = in.weightDecay;
        out.maxGradNorm = in.maxGradNorm;
        out.precision = in.precision;
        out.seed = in.seed;
        out.checkpointEverySteps = in.checkpointEverySteps;
        out.keepCheckpoints = in.keepCheckpoints;
        return out;
    }
}
