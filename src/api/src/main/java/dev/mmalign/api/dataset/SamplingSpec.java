package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.mmalign.api.common.ComputeResources;
import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.run.Precision;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** How completions are sampled from the policy (the SFT checkpoint; the paper: LLaVA-1.5-13B). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SamplingSpec {

    @Required
    @JsonPropertyDescription("The model that writes the completions.")
    public ModelSource model;

    @Default("4")
    @Min(2)
    @Max(64)
    @JsonPropertyDescription("Completions per prompt (paper: 4). At least 2, since pairs need two.")
    public Integer completionsPerPrompt = 4;

    @Default("0.7")
    @Min(0)
    @Max(2)
    @JsonPropertyDescription("Sampling temperature (paper's text: 0.7; the authors' script used 1.2).")
    public Double temperature = 0.7;

    @Default("1.0")
    @Min(value = 0, inclusive = false)
    @Max(1)
    @JsonPropertyDescription("Nucleus sampling: keep the smallest set of tokens whose probability mass is at least topP.")
    public Double topP = 1.0;

    @Default("512")
    @Min(1)
    @Max(8192)
    @JsonPropertyDescription("Most new tokens per completion.")
    public Integer maxNewTokens = 512;

    @Default("8")
    @Min(1)
    @Max(1024)
    @JsonPropertyDescription("Prompts generated together in one batch.")
    public Integer batchSize = 8;

    @Default("1")
    @Min(1)
    @Max(256)
    @JsonPropertyDescription("Shards: the prompts are split across this many pods of one Indexed Job.")
    public Integer shards = 1;

    @Default("42")
    @JsonPropertyDescription("Seed; completion j of prompt p is sampled with a seed derived from (seed, p, j), so "
            + "reruns and reshards give the same completions.")
    public Long seed = 42L;

    @JsonPropertyDescription("Generate on an OpenAI-compatible chat-completions server (vLLM, KServe) instead of in "
            + "the sample pod, which then requests no GPU. sampling.model stays required: the build stage computes "
            + "DPO reference log-probabilities with it.")
    public SamplingEndpointSpec endpoint;

    @Default("fp16")
    @JsonPropertyDescription("Numeric precision of in-pod generation: fp16 stores the weights in fp16 on the device "
            + "and computes in fp32, as training does; fp32 keeps everything fp32; bf16 is refused by the sample "
            + "stage (exit 2) until the engine has bfloat16 tensors. No effect with an endpoint.")
    public Precision precision = Precision.fp16;

    @JsonPropertyDescription("Resources of each sampling pod.")
    public ComputeResources resources;

    public SamplingSpec() {}
}
