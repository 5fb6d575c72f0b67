package dev.mmalign.api.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** DPO settings (paper: beta 0.1, sigmoid loss, summed log-probabilities, reference precomputed). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DpoSpec {

    @Default("0.1")
    @Min(value = 0, inclusive = false)
    @Max(100)
    @JsonPropertyDescription("Temperature of the implicit reward; must be > 0 (paper: 0.1).")
    public Double beta = 0.1;

    @Default("sigmoid")
    @JsonPropertyDescription("sigmoid, ipo or hinge.")
    public LossType lossType = LossType.sigmoid;

    @Default("0")
    @Min(0)
    @Max(value = 0.5, inclusive = false)
    @JsonPropertyDescription("Label smoothing of the sigmoid loss (conservative DPO), in [0, 0.5).")
    public Double labelSmoothing = 0.0;

    @Default("false")
    @JsonPropertyDescription("Average the response log-probabilities per token instead of summing them (paper: summed).")
    public Boolean averageLogProbs = false;

    @Default("true")
    @JsonPropertyDescription("true: use reference log-probabilities stored in the pairs, computing any missing ones "
            + "once before training (the paper's way). false: compute them every step from the same model with its "
            + "LoRA adapters switched off (needs LoRA without a trained projector). Neither holds a second model.")
    public Boolean precomputeReferenceLogProbs = true;

    @Default("0")
    @Min(0)
    @JsonPropertyDescription("Weight of an added SFT (negative log-likelihood) term on the chosen response.")
    public Double sftLossWeight = 0.0;

    public DpoSpec() {}
}
