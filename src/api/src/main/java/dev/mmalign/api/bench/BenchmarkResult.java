package dev.mmalign.api.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.Map;

/** One cell of the score table: a model's headline metric on one benchmark. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BenchmarkResult {
    @JsonPropertyDescription("Model name.")
    public String model;
    @JsonPropertyDescription("Benchmark entry id.")
    public String benchmark;
    @JsonPropertyDescription("Metric name (e.g. f1, accuracy, score, win-rate).")
    public String metric;
    @JsonPropertyDescription("The score.")
    public Double score;
    @JsonPropertyDescription("Questions scored.")
    public Long n;
    @JsonPropertyDescription("score minus the baseline model's score on the same benchmark and metric.")
    public Double delta;
    @JsonPropertyDescription("The metric per part, as the benchmark's official report breaks it down (e.g. MM-Vet per "
            + "capability, LLaVA-Bench per category, MMBench per l2-category and category); unset where it has none.")
    public Map<String, Double> breakdown;

    public BenchmarkResult() {}

    public BenchmarkResult(String model, String benchmark, String metric, Double score, Long n, Double delta) {
        this.model = model;
        this.benchmark = benchmark;
        this.metric = metric;
        this.score = score;
        this.n = n;
        this.delta = delta;
    }
}
