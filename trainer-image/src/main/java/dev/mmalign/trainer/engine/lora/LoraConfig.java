package dev.mmalign.trainer.engine.lora;

import java.util.List;

/** LoRA settings (AlignmentRun spec.lora); defaults are the paper's rank 128 / alpha 256. */
public class LoraConfig {
    public int rank = 128;
    public double alpha = 256;
    public double dropout = 0.05;
    /** Any of q, k, v, o, gate, up, down (or their HF names q_proj, ...); applied to the language model only. */
    public List<String> targetModules = List.of("q", "k", "v", "o", "gate", "up", "down");
    /** Also train the multi-modal projector (saved as a PEFT modules_to_save entry). */
    public boolean trainProjector = false;

    public static LoraConfig of(int rank, double alpha) {
        LoraConfig c = new LoraConfig();
        c.rank = rank;
        c.alpha = alpha;
        return c;
    }
}
