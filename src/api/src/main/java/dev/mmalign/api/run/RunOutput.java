package dev.mmalign.api.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where a run's results are, relative to the storage root. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RunOutput {
    @JsonPropertyDescription("Folder of all the run's outputs.")
    public String root;
    @JsonPropertyDescription("LoRA adapter in PEFT layout (adapter_config.json + adapter_model.safetensors).")
    public String adapterPath;
    @JsonPropertyDescription("Base model with the adapter merged in (Hugging Face layout).")
    public String mergedModelPath;
    @JsonPropertyDescription("Final figures of the run (result.json).")
    public String resultPath;

    public RunOutput() {}
}
