package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * People's ratings of a subset of the sampled completions, to measure how far the judge agrees with them (the
 * paper's Figure 3). The build stage compares them with the judge's ratings of the same completions.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HumanRatingsSpec {

    @Required
    @Size(min = 1, max = 1024)
    @JsonPropertyDescription("Ratings file relative to the storage root; every row must name a sampled completion.")
    public String path;

    @Default("helpsteer")
    @JsonPropertyDescription("File format: helpsteer (JSONL rows as HelpSteer's, or naming completionId or promptId + "
            + "completionIndex; attributes 0-4).")
    public HumanRatingsFormat format = HumanRatingsFormat.HELPSTEER;

    public HumanRatingsSpec() {}
}
