package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What annotation has cost so far. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AnnotationCost {
    @JsonPropertyDescription("Judge requests that were answered (retries included).")
    public Long requests;
    @JsonPropertyDescription("Input (prompt) tokens billed.")
    public Long inputTokens;
    @JsonPropertyDescription("Output (candidate and thinking) tokens billed.")
    public Long outputTokens;
    @JsonPropertyDescription("Cost in US dollars at the configured or built-in prices, as a decimal string.")
    public String usd;

    public AnnotationCost() {}
}
