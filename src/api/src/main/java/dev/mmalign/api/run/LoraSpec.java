package dev.mmalign.api.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;

import java.util.List;

/** LoRA adapters (paper: rank 128, alpha 256). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LoraSpec {

    @Default("true")
    @JsonPropertyDescription("Train LoRA adapters (base weights frozen). false: full fine-tuning of the language model.")
    public Boolean enabled = true;

    @Default("128")
    @Min(1)
    @Max(4096)
    @JsonPropertyDescription("Rank r of the adapters (paper: 128).")
    public Integer rank = 128;

    @Default("256")
    @Min(value = 0, inclusive = false)
    @JsonPropertyDescription("Scaling alpha; the update is scaled by alpha / rank (paper: 256).")
    public Double alpha = 256.0;

    @Default("0.05")
    @Min(0)
    @Max(value = 1, inclusive = false)
    @JsonPropertyDescription("Dropout on the adapter input, in [0, 1).")
    public Double dropout = 0.05;

    @Default("[\"q_proj\",\"k_proj\",\"v_proj\",\"o_proj\",\"gate_proj\",\"up_proj\",\"down_proj\"]")
    @Size(min = 1, max = 7)
    @JsonPropertyDescription("Adapted layers of the language model.")
    public List<LoraTarget> targetModules = List.of(LoraTarget.values());

    @Default("false")
    @JsonPropertyDescription("Also train the vision-language projector (fully).")
    public Boolean trainProjector = false;

    public LoraSpec() {}
}
