package dev.mmalign.api.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

import java.util.ArrayList;
import java.util.List;

/**
 * One axis of the AlignmentSweep that made a suite, with its values as the sweep's tables write them (0.25, 1,
 * true, DPO): the suite's report then shows the same score table per axis as the sweep's status.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SweepAxisValues {

    @Required
    @Size(max = 32)
    @JsonPropertyDescription("The axis: dataFraction, beta, learningRate, averageLogProbs or method.")
    public String name;

    @Required
    @Size(min = 1, max = 16)
    @JsonPropertyDescription("Its values in the sweep's order.")
    public List<String> values = new ArrayList<>();

    public SweepAxisValues() {}

    public SweepAxisValues(String name, List<String> values) {
        this.name = name;
        this.values = new ArrayList<>(values);
    }
}
