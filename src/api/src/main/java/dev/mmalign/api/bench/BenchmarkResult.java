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
    @JsonPropertyDescription("The benchmark's other metrics by name, as its official report breaks them down: per turn "
            + "and category (\"score/turn1\", \"score/category/math\"), per capability, category or l2-category "
            + "(\"score/ocr\", \"relativeScore/conv\", \"accuracy/attribute_recognition\"), the standard error and "
            + "counts; at most " + BenchmarkResult.MAX_BREAKDOWN + " (the headline's parts first), the full set is in "
            + "the results file. Unset where the benchmark has none.")
    public Map<String, Double> breakdown;

    /** Most breakdown entries kept in status, so that it stays small. */
    public static final int MAX_BREAKDOWN = 24;

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
