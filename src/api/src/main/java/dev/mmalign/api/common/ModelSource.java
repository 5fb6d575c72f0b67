package dev.mmalign.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/** A model: either a Hugging Face layout folder on the claim, or the output of an AlignmentRun. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.path) != has(self.alignmentRun)",
        message = "set exactly one of path and alignmentRun")
public class ModelSource {

    @JsonPropertyDescription("Folder of a Hugging Face layout model (config.json, *.safetensors, tokenizer.json), "
            + "relative to the storage root; llava-hf tensor names for LLaVA checkpoints.")
    public String path;

    @JsonPropertyDescription("Name of an AlignmentRun in the same namespace whose output is used (waits until it "
            + "has Succeeded).")
    public String alignmentRun;

    @Default("false")
    @JsonPropertyDescription("With alignmentRun: use the merged model instead of base + LoRA adapter.")
    public Boolean merged = false;

    public ModelSource() {}

    public static ModelSource ofPath(String path) {
        ModelSource m = new ModelSource();
        m.path = path;
        return m;
    }

    public static ModelSource ofRun(String runName) {
        ModelSource m = new ModelSource();
        m.alignmentRun = runName;
        return m;
    }
}
