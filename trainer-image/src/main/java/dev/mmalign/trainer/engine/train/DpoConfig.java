package dev.mmalign.trainer.engine.train;

/** DPO settings (AlignmentRun spec.dpo); defaults are the paper's. */
public class DpoConfig {
    /** The DPO loss of the margin z: sigmoid (the paper's, with optional label smoothing), IPO or SLiC hinge. */
    public enum LossType {
        SIGMOID, IPO, HINGE;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public double beta = 0.1;
    public LossType lossType = LossType.SIGMOID;
    public double labelSmoothing = 0.0;
    /** The paper sums log-probs over response tokens (false). */
    public boolean averageLogProbs = false;
    /** Weight of an added NLL term on the chosen response (TRL's rpo_alpha); 0 = off. */
    public double sftWeight = 0.0;
    /**
     * true (the paper's way): reference log-probs are taken from the pairs, the missing ones computed once before
     * training. false (TRL's precompute_ref_log_probs=False): computed every step by the same model with its LoRA
     * adapters disabled, ignoring any stored values; needs LoRA without a trained projector, since only then is
     * "adapters off" the untouched reference (there is no frozen second copy).
     */
    public boolean precomputeReference = true;
}
