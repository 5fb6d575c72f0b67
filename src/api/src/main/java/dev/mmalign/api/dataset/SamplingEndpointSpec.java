package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.mmalign.api.common.SchemaPatterns;
import dev.mmalign.api.common.SecretKeyRef;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * Sampling from an OpenAI-compatible chat-completions server (vLLM or KServe serving a llava-hf model) instead of
 * generating in the sample pod. The sample stage sends each prompt's image as a data URL content part and asks for
 * the spec's K completions with its temperature, top-p and most new tokens; the pod then needs no GPU.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SamplingEndpointSpec {

    @Required
    @Size(max = SchemaPatterns.URL_MAX)
    @Pattern(SchemaPatterns.HTTP_URL)
    @JsonPropertyDescription("Base URL of the OpenAI-compatible API, e.g. http://vllm.inference:8000/v1; "
            + "/chat/completions is appended.")
    public String url;

    @Required
    @Size(min = 1, max = SchemaPatterns.NAME_MAX)
    @JsonPropertyDescription("Model name the server serves (vLLM: the --served-model-name, e.g. "
            + "llava-hf/llava-1.5-13b-hf). It should be the checkpoint of sampling.model, which the build stage "
            + "uses for DPO reference log-probabilities.")
    public String model;

    @JsonPropertyDescription("Secret key holding the server's API key, sent as a Bearer token. Mounted read-only "
            + "into the sample pods only. Omit for a server without authentication.")
    public SecretKeyRef apiKeySecret;

    @Default("10")
    @Min(value = 0, inclusive = false)
    @Max(10000)
    @JsonPropertyDescription("Most requests started per second, over all concurrent requests of one pod.")
    public Double requestsPerSecond = 10.0;

    @Default("8")
    @Min(1)
    @Max(1024)
    @JsonPropertyDescription("Most requests in flight at once per pod.")
    public Integer concurrency = 8;

    @Default("true")
    @JsonPropertyDescription("Ask for all K completions of a prompt in one request with n=K (vLLM and OpenAI "
            + "support it). false: K requests with n=1, for servers without n, each with its own seed.")
    public Boolean useN = true;

    @Default("true")
    @JsonPropertyDescription("Send a seed with each request (vLLM honours it, OpenAI on a best-effort basis), "
            + "derived from sampling.seed and the prompt id (and the completion index when useN is false). "
            + "false for servers that reject the field.")
    public Boolean sendSeed = true;

    @Default("6")
    @Min(0)
    @Max(100)
    @JsonPropertyDescription("Retries of a request after a 429, a 5xx, a timeout or a dropped connection, with "
            + "exponential backoff and at least what Retry-After asks. Then the pod fails and its retry resumes.")
    public Integer maxRetries = 6;

    @Default("600")
    @Min(1)
    @Max(3600)
    @JsonPropertyDescription("Timeout of one request in seconds (K completions of up to maxNewTokens each).")
    public Integer timeoutSeconds = 600;

    public SamplingEndpointSpec() {}
}
