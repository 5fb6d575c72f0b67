package dev.mmalign.api.dataset;

import io.fabric8.generator.annotation.ValidationRule;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;

import java.util.List;

@ValidationRule(value = "!has(self.minMargin) || !has(self.scoreAttributes) || self.minMargin <= 4 * size(self.scoreAttributes)",
        message = "minMargin cannot exceed the score's scale: 4 (the rating scale 0-4) times the number of scoreAttributes")
/** DPO pairs: chosen = the best completion, rejected = one scoring at least minMargin lower. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DpoSetSpec {

    @Default("true")
    @JsonPropertyDescription("Build the DPO pair set.")
    public Boolean enabled = true;

    @Default("[\"helpfulness\",\"correctness\",\"coherence\"]")
    @Size(min = 1, max = 5)
    @ValidationRule(value = "self.all(a, self.exists_one(b, b == a))", message = "attributes must be unique")
    @JsonPropertyDescription("Attributes summed into a completion's score (paper: helpfulness + correctness + "
            + "coherence).")
    public List<HelpSteerAttribute> scoreAttributes =
            List.of(HelpSteerAttribute.HELPFULNESS, HelpSteerAttribute.CORRECTNESS, HelpSteerAttribute.COHERENCE);

    @Default("random-below-margin")
    @JsonPropertyDescription("random-below-margin (the paper's text) or worst (the authors' notebook).")
    public RejectedSelection rejected = RejectedSelection.RANDOM_BELOW_MARGIN;

    @Default("2")
    @Min(0)
    @Max(20)
    @JsonPropertyDescription("Least score gap between chosen and rejected; prompts with no such gap yield no pair.")
    public Integer minMargin = 2;

    @Default("true")
    @JsonPropertyDescription("Compute the reference model's log-probabilities of chosen and rejected once, with the "
            + "sampling model, and store them in the pairs (so DPO training never holds two models).")
    public Boolean precomputeReferenceLogProbs = true;

    @Default("0")
    @JsonPropertyDescription("Seed of the random choice of the rejected completion.")
    public Long seed = 0L;

    public DpoSetSpec() {}
}
