package dev.mmalign.trainer.engine.train;

/**
 * DPO settings (AlignmentRun spec.dpo); the builder's defaults are the paper's.
 *
 * @param averageLogProbs the paper sums log-probs over response tokens (false)
 * @param sftWeight weight of an added NLL term on the chosen response (TRL's rpo_alpha); 0 = off
 * @param precomputeReference true (the paper's way): reference log-probs are taken from the pairs, the missing ones
 *     computed once before training. false (TRL's precompute_ref_log_probs=False): computed every step by the same
 *     model with its LoRA adapters disabled, ignoring any stored values; needs LoRA without a trained projector, since
 *     only then is "adapters off" the untouched reference (there is no frozen second copy).
 */
public record DpoConfig(double beta, LossType lossType, double labelSmoothing, boolean averageLogProbs,
        double sftWeight, boolean precomputeReference) {

    /** The DPO loss of the margin z: sigmoid (the paper's, with optional label smoothing), IPO or SLiC hinge. */
    public enum LossType {
        SIGMOID, IPO, HINGE;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public DpoConfig {
        if (lossType == null) throw new IllegalArgumentException("lossType is required");
    }

    /** The paper's settings: beta 0.1, sigmoid loss, summed log-probs, reference precomputed. */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().beta(beta).lossType(lossType).labelSmoothing(labelSmoothing)
                .averageLogProbs(averageLogProbs).sftWeight(sftWeight).precomputeReference(precomputeReference);
    }

    public static final class Builder {
        private double beta = 0.1;
        private LossType lossType = LossType.SIGMOID;
        private double labelSmoothing = 0.0;
        private boolean averageLogProbs = false;
        private double sftWeight = 0.0;
        private boolean precomputeReference = true;

        private Builder() {}

        public Builder beta(double v) { beta = v; return this; }
        public Builder lossType(LossType v) { lossType = v; return this; }
        public Builder labelSmoothing(double v) { labelSmoothing = v; return this; }
        public Builder averageLogProbs(boolean v) { averageLogProbs = v; return this; }
        public Builder sftWeight(double v) { sftWeight = v; return this; }
        public Builder precomputeReference(boolean v) { precomputeReference = v; return this; }

        public DpoConfig build() {
            return new DpoConfig(beta, lossType, labelSmoothing, averageLogProbs, sftWeight, precomputeReference);
        }
    }
}
