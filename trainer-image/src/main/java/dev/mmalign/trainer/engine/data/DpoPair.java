package dev.mmalign.trainer.engine.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** One line of a DPO pairs file (DESIGN.md §5, TRL-compatible). Reference log-probs are filled before training. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DpoPair(String id, List<String> images, String prompt, String chosen, String rejected,
        Double chosenScore, Double rejectedScore, Double refChosenLogp, Double refRejectedLogp) {

    public DpoPair withReference(double chosenLogp, double rejectedLogp) {
        return new DpoPair(id, images, prompt, chosen, rejected, chosenScore, rejectedScore, chosenLogp,
                rejectedLogp);
    }

    public boolean hasReference() {
        return refChosenLogp != null && refRejectedLogp != null;
    }
}
