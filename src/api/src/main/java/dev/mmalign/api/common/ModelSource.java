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

    @JsonPropertyDescription("Name of a ConfigMap in the same namespace whose key config.json holds this model's Hugging "
            + "Face config.json (kubectl create configmap NAME --from-file=config.json=PATH). Optional: with it, the "
            + "operator plans a training run's peak GPU memory per device before any pod starts and holds back a run "
            + "that does not fit resources.gpuMemoryGiB (reason InsufficientGpuMemory); without it that check is "
            + "skipped, since the operator cannot read the claim.")
    public String configMap;

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
