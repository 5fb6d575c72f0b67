package dev.mmalign.trainer.data;

import java.util.List;

/**
 * A TRL-compatible DPO pair (DESIGN.md §5), the one record of a DPO pair in the trainer: the build stage writes it,
 * the train stage reads it, and the engine's DpoTrainer trains on it. The scores are absent in pairs not built from
 * ratings (imported sets, the engine's toy data); the reference log-probs are set when precomputed by the build stage
 * or before training.
 */
public record DpoPairRecord(String id, List<String> images, String prompt, String chosen, String rejected,
                            Double chosenScore, Double rejectedScore, Double refChosenLogp, Double refRejectedLogp) {

    public DpoPairRecord withReferenceLogps(double chosenLogp, double rejectedLogp) {
        return new DpoPairRecord(id, images, prompt, chosen, rejected, chosenScore, rejectedScore, chosenLogp,
                rejectedLogp);
    }

    public boolean hasReference() {
        return refChosenLogp != null && refRejectedLogp != null;
    }
}
