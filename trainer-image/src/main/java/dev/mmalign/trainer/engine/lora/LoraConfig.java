package dev.mmalign.trainer.engine.lora;

import java.util.List;

/**
 * LoRA settings (AlignmentRun spec.lora); the builder's defaults are the paper's rank 128 / alpha 256.
 *
 * @param targetModules any of q, k, v, o, gate, up, down (or their HF names q_proj, ...); applied to the language
 *     model only
 * @param trainProjector also train the multi-modal projector (saved as a PEFT modules_to_save entry)
 * @param rsLora rank-stabilised scaling alpha / sqrt(rank) instead of alpha / rank (PEFT's {@code use_rslora})
 */
public record LoraConfig(int rank, double alpha, double dropout, List<String> targetModules, boolean trainProjector,
        boolean rsLora) {

    public LoraConfig {
        targetModules = List.copyOf(targetModules);
    }

    public LoraConfig(int rank, double alpha, double dropout, List<String> targetModules, boolean trainProjector) {
        this(rank, alpha, dropout, targetModules, trainProjector, false);
    }

    /** The factor applied to B A x: alpha / rank, or alpha / sqrt(rank) with rsLoRA, as PEFT's LoraLayer. */
    public double scale() {
        return rsLora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    public static LoraConfig of(int rank, double alpha) {
        return builder().rank(rank).alpha(alpha).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().rank(rank).alpha(alpha).dropout(dropout).targetModules(targetModules)
                .trainProjector(trainProjector).rsLora(rsLora);
    }

    public static final class Builder {
        private int rank = 128;
        private double alpha = 256;
        private double dropout = 0.05;
        private List<String> targetModules = List.of("q", "k", "v", "o", "gate", "up", "down");
        private boolean trainProjector = false;
        private boolean rsLora = false;

        private Builder() {}

        public Builder rank(int v) { rank = v; return this; }
        public Builder alpha(double v) { alpha = v; return this; }
        public Builder dropout(double v) { dropout = v; return this; }
        public Builder targetModules(List<String> v) { targetModules = v; return this; }
        public Builder trainProjector(boolean v) { trainProjector = v; return this; }
        public Builder rsLora(boolean v) { rsLora = v; return this; }

        public LoraConfig build() {
            return new LoraConfig(rank, alpha, dropout, targetModules, trainProjector, rsLora);
        }
    }
}
