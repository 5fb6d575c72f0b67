package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;

import java.util.List;

/** Rejection sampling: the best completion of each prompt becomes an SFT target. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RejectionSamplingSetSpec {

    @Default("true")
    @JsonPropertyDescription("Build the rejection-sampling set.")
    public Boolean enabled = true;

    @Default("[\"helpfulness\",\"correctness\",\"coherence\"]")
    @Size(min = 1, max = 5)
    @JsonPropertyDescription("Attributes summed into the score that picks the best completion.")
    public List<HelpSteerAttribute> scoreAttributes =
            List.of(HelpSteerAttribute.HELPFULNESS, HelpSteerAttribute.CORRECTNESS, HelpSteerAttribute.COHERENCE);

    public RejectionSamplingSetSpec() {}
}
