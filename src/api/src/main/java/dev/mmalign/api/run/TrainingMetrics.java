package dev.mmalign.api.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Latest training metrics. Names follow TRL's (rewards/chosen is rewardsChosen, ...) in camelCase so they can be
 * used in JSONPath printer columns.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingMetrics {
    @JsonPropertyDescription("Training loss (TRL: loss).")
    public Double loss;
    @JsonPropertyDescription("Mean implicit reward of the chosen responses (TRL: rewards/chosen).")
    public Double rewardsChosen;
    @JsonPropertyDescription("Mean implicit reward of the rejected responses (TRL: rewards/rejected).")
    public Double rewardsRejected;
    @JsonPropertyDescription("Fraction of pairs whose chosen reward beats the rejected (TRL: rewards/accuracies).")
    public Double rewardsAccuracies;
    @JsonPropertyDescription("Mean chosen minus rejected reward (TRL: rewards/margins).")
    public Double rewardsMargins;
    @JsonPropertyDescription("Current learning rate (TRL: learning_rate).")
    public Double learningRate;
    @JsonPropertyDescription("Gradient global norm before clipping (TRL: grad_norm).")
    public Double gradNorm;
    @JsonPropertyDescription("Training throughput in tokens per second.")
    public Double tokensPerSecond;

    public TrainingMetrics() {}
}
