package dev.mmalign.api.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.mmalign.api.common.Progress;
import dev.mmalign.api.common.StageState;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;

/** Observed state of a BenchmarkSuite: compact headline scores; full outputs live in files. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BenchmarkSuiteStatus {

    @JsonPropertyDescription("metadata.generation this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription("Pending, WaitingForModels, Running, Succeeded or Failed.")
    public SuitePhase phase;

    @JsonPropertyDescription("Standard conditions: Ready, Progressing, Failed.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("One entry per evaluation Job (evaluate-<model>).")
    public List<StageState> stages = new ArrayList<>();

    @JsonPropertyDescription("Live progress of the running evaluation, written by its pods.")
    public Progress progress;

    @JsonPropertyDescription("Models evaluated so far / in all, e.g. 2/5.")
    public String modelsDone;

    @JsonPropertyDescription("Headline score per model and benchmark, with the delta against the baseline.")
    public List<BenchmarkResult> results = new ArrayList<>();

    @JsonPropertyDescription("All metrics of every model and benchmark (results.json), relative to the storage root.")
    public String resultsPath;

    @JsonPropertyDescription("HTML report with the comparison table and chart, relative to the storage root.")
    public String reportPath;

    public BenchmarkSuiteStatus() {}
}
