package dev.mmalign.api.sweep;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.LinkedHashMap;
import java.util.Map;

/** One child run of a sweep: its point of the axes, where it is, and (in sweep.json) its scores. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SweepRun {

    @JsonPropertyDescription("The child AlignmentRun's name.")
    public String name;

    @JsonPropertyDescription("Its model's name in the sweep's BenchmarkSuite.")
    public String model;

    @JsonPropertyDescription("Its value on each axis, by axis name (dataFraction, beta, learningRate, "
            + "averageLogProbs, method).")
    public Map<String, String> point = new LinkedHashMap<>();

    @JsonPropertyDescription("The child's phase; NotStarted while it waits for a slot (maxConcurrent).")
    public String phase;

    @JsonPropertyDescription("Headline scores by metric column (benchmark/metric); in sweep.json only.")
    public Map<String, Double> scores;

    public SweepRun() {}
}
