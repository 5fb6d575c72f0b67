package dev.mmalign.api.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** The training data of a run: a set of a PreferenceDataset, or a JSONL file. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.name) != has(self.path)", message = "set exactly one of name and path")
@ValidationRule(value = "!has(self.trainingSet) || has(self.name)", message = "trainingSet needs name")
public class DatasetRef {

    @JsonPropertyDescription("A PreferenceDataset in the same namespace; the run waits until it is Ready.")
    public String name;

    @JsonPropertyDescription("Which of the dataset's sets: dpo, rejectionSampling, steerLM or goldSFT. Unset: the "
            + "one the method needs (DPO: dpo, RejectionSampling: rejectionSampling, SteerLM: steerLM, SFT: goldSFT).")
    public TrainingSet trainingSet;

    @JsonPropertyDescription("A JSONL file of DPO pairs or SFT examples (DESIGN formats), relative to the storage root.")
    public String path;

    public DatasetRef() {}

    /** The set to train on, applying the per-method default. */
    public static TrainingSet effectiveSet(DatasetRef ref, Method method) {
        if (ref != null && ref.trainingSet != null) {
            return ref.trainingSet;
        }
        return switch (method) {
            case DPO -> TrainingSet.dpo;
            case RejectionSampling -> TrainingSet.rejectionSampling;
            case SteerLM -> TrainingSet.steerLM;
            case SFT -> TrainingSet.goldSFT;
        };
    }
}
