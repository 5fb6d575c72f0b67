package dev.mmalign.trainer.data;

import java.util.List;

/** A TRL-compatible DPO pair (DESIGN.md §5); reference log-probs are set when precomputed by the build stage. */
public record DpoPairRecord(String id, List<String> images, String prompt, String chosen, String rejected,
                            double chosenScore, double rejectedScore, Double refChosenLogp, Double refRejectedLogp) {

    public DpoPairRecord withReferenceLogps(double chosenLogp, double rejectedLogp) {
        return new DpoPairRecord(id, images, prompt, chosen, rejected, chosenScore, rejectedScore, chosenLogp,
                rejectedLogp);
    }
}
