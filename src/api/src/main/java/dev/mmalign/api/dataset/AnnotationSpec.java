package dev.mmalign.api.dataset;

import io.fabric8.generator.annotation.ValidationRule;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.mmalign.api.common.ComputeResources;
import dev.mmalign.api.common.JudgeSpec;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;

import java.util.List;

/**
 * How completions are rated: the judge sees the image, the question and all completions of a prompt, reasons step
 * by step, then rates each completion 0-4 on the HelpSteer attributes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.goldAnswers) || !has(self.goldAnswers.enabled) || !self.goldAnswers.enabled "
        + "|| self.provider in ['vertex-gemini', 'openai-compatible']",
        message = "goldAnswers needs a judge model: provider vertex-gemini or openai-compatible")
public class AnnotationSpec extends JudgeSpec {

    /** Default of {@link #maxFailureRatio}: a few flaky prompts never stop a run; an outage does. */
    public static final double DEFAULT_MAX_FAILURE_RATIO = 0.05;

    @JsonPropertyDescription("A labelling guide from a ConfigMap. Unset: the built-in HelpSteer guide (paper Table 1).")
    public GuideSpec guide;

    @Default("[\"helpfulness\",\"correctness\",\"coherence\",\"complexity\",\"verbosity\"]")
    @Size(min = 1, max = 5)
    @ValidationRule(value = "self.all(a, self.exists_one(b, b == a))", message = "attributes must be unique")
    @JsonPropertyDescription("Attributes the judge rates, each 0-4.")
    public List<HelpSteerAttribute> attributes = List.of(HelpSteerAttribute.values());

    @Default("true")
    @JsonPropertyDescription("Ask the judge to reason step by step before rating (zero-shot chain of thought).")
    public Boolean chainOfThought = true;

    @JsonPropertyDescription("With provider import: JSONL file of ratings {promptId, completionId, ratings}, "
            + "relative to the storage root.")
    public String importPath;

    @JsonPropertyDescription("People's ratings of some of the sampled completions. The build stage then reports, per "
            + "attribute, the judge's agreement with them (exact-match and within-one rates, Spearman and Pearson "
            + "correlation, confusion matrix) in status.agreement and in agreement.json beside the annotations.")
    public HumanRatingsSpec humanRatings;

    @Default("0.05")
    @Min(0)
    @Max(1)
    @JsonPropertyDescription("Largest fraction of the prompts a run may set aside because the judge kept failing "
            + "(429, 5xx, timeouts) through every retry. Up to it, such a prompt is quarantined with the last error "
            + "and the stage goes on (a rerun asks again); past it, the stage fails retryably (exit code 1).")
    public Double maxFailureRatio = DEFAULT_MAX_FAILURE_RATIO;

    @Default("1")
    @Min(1)
    @Max(64)
    @JsonPropertyDescription("Shards of the annotate Job; the rate limit and concurrency are shared among them.")
    public Integer shards = 1;

    @JsonPropertyDescription("Also ask the judge for its own answer to each prompt (the paper's Standard SFT data).")
    public GoldAnswersSpec goldAnswers;

    @JsonPropertyDescription("Resources of each annotate pod (CPU only; the judge runs elsewhere).")
    public ComputeResources resources;

    public AnnotationSpec() {}
}
