package dev.mmalign.api.common;

import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Pattern;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/**
 * A judge model and how to call it: the annotator of a PreferenceDataset and the judge of judge-scored benchmarks.
 * Cross-field rules (vertex-gemini needs project and location, ...) are declared where it is used.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class JudgeSpec {

    @Required
    @JsonPropertyDescription("vertex-gemini (the paper's), openai-compatible, import or oracle.")
    public JudgeProvider provider;

    @JsonPropertyDescription("Judge model name, e.g. gemini-2.5-pro (vertex-gemini) or the served model name "
            + "(openai-compatible).")
    @Size(max = SchemaPatterns.NAME_MAX)
    public String model;

    @JsonPropertyDescription("Google Cloud project (vertex-gemini).")
    @Size(max = SchemaPatterns.NAME_MAX)
    public String project;

    @JsonPropertyDescription("Vertex AI location, e.g. us-central1 (vertex-gemini).")
    @Size(max = SchemaPatterns.NAME_MAX)
    public String location;

    @JsonPropertyDescription("Base URL of the endpoint: required for openai-compatible (e.g. http://vllm:8000/v1); "
            + "for vertex-gemini an optional override of the Vertex AI endpoint (e.g. a private endpoint).")
    @Size(max = SchemaPatterns.URL_MAX)
    @Pattern(SchemaPatterns.HTTP_URL)
    public String endpoint;

    @JsonPropertyDescription("Credentials for the judge; only annotate and evaluate pods receive them.")
    public CredentialsSpec credentials;

    @Default("60")
    @Min(1)
    @Max(100000)
    @JsonPropertyDescription("Client-side rate limit in requests per minute, shared by all shards of a stage.")
    public Integer requestsPerMinute = 60;

    @Default("4")
    @Min(1)
    @Max(256)
    @JsonPropertyDescription("Requests in flight at once per stage (split across shards).")
    public Integer concurrency = 4;

    @Default("6")
    @Min(0)
    @Max(20)
    @JsonPropertyDescription("Retries of one request on 429, 5xx, timeouts or a malformed answer (exponential "
            + "backoff with jitter); after that the item is quarantined with the reason.")
    public Integer maxRetries = 6;

    @Default("120")
    @Min(1)
    @Max(3600)
    @JsonPropertyDescription("Timeout of one request in seconds.")
    public Integer timeoutSeconds = 120;

    @Min(0)
    @JsonPropertyDescription("Budget in US dollars for this stage; when spent the stage stops cleanly (exit code 3) "
            + "keeping all work done. Unset: no budget.")
    public Double maxCostUSD;

    @JsonPropertyDescription("Price per million input tokens in USD, used for cost accounting. Unset: the built-in "
            + "price of the model if known, else 0.")
    @Min(0)
    public Double inputPricePerMillionTokens;

    @JsonPropertyDescription("Price per million output tokens in USD, used for cost accounting.")
    @Min(0)
    public Double outputPricePerMillionTokens;

    public JudgeSpec() {}
}
