package dev.mmalign.trainer.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.mmalign.api.dataset.ReferenceStamp;
import java.util.List;

/**
 * A TRL-compatible DPO pair (DESIGN.md §5), the one record of a DPO pair in the trainer: the build stage writes it,
 * the train stage reads it, and the engine's DpoTrainer trains on it. The scores are absent in pairs not built from
 * ratings (imported sets, the engine's toy data); the reference log-probs are set when precomputed by the build stage
 * or before training, and {@code referenceModel} then says which model computed them ({@link ReferenceStamp}).
 */
public record DpoPairRecord(String id, List<String> images, String prompt, String chosen, String rejected,
                            Double chosenScore, Double rejectedScore, Double refChosenLogp, Double refRejectedLogp,
                            @JsonProperty(ReferenceStamp.FIELD) ReferenceModel referenceModel) {

    /** The model that computed a pair's reference log-probs ({@link ReferenceStamp}). */
    public record ReferenceModel(@JsonProperty(ReferenceStamp.PATH) String path,
                                 @JsonProperty(ReferenceStamp.SHA256) String sha256) {
        @Override
        public String toString() {
            return path + " (sha256 " + sha256 + ")";
        }
    }

    @JsonCreator
    public DpoPairRecord {
    }

    /** A pair without a reference-model stamp. */
    public DpoPairRecord(String id, List<String> images, String prompt, String chosen, String rejected,
                         Double chosenScore, Double rejectedScore, Double refChosenLogp, Double refRejectedLogp) {
        this(id, images, prompt, chosen, rejected, chosenScore, rejectedScore, refChosenLogp, refRejectedLogp, null);
    }

    /** With reference log-probs from a model this record does not name (the stamp is dropped). */
    public DpoPairRecord withReferenceLogps(double chosenLogp, double rejectedLogp) {
        return withReferenceLogps(chosenLogp, rejectedLogp, null);
    }

    public DpoPairRecord withReferenceLogps(double chosenLogp, double rejectedLogp, ReferenceModel computedBy) {
        return new DpoPairRecord(id, images, prompt, chosen, rejected, chosenScore, rejectedScore, chosenLogp,
                rejectedLogp, computedBy);
    }

    public boolean hasReference() {
        return refChosenLogp != null && refRejectedLogp != null;
    }
}
