package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/**
 * Reference answers from the judge model itself, for the paper's "Standard SFT" baseline (it trains on Gemini's own
 * answers). Asked by the annotate stage, one request per prompt (the question and the image), under the annotation's
 * budget, rate limit, retries, quarantine and resume.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GoldAnswersSpec {

    @Default("false")
    @JsonPropertyDescription("Ask the judge (vertex-gemini or openai-compatible) for its own answer to each prompt; the "
            + "goldSFT set then trains on these answers instead of the prompts' goldAnswer fields.")
    public Boolean enabled = false;

    public GoldAnswersSpec() {}
}
