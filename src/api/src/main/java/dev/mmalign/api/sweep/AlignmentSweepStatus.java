package dev.mmalign.api.sweep;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;

/** Observed state of an AlignmentSweep: its children, its suite and the score tables. The operator writes all of it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AlignmentSweepStatus {

    @JsonPropertyDescription("metadata.generation this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription("Pending, Running, Evaluating, Succeeded or Failed.")
    public SweepPhase phase;

    @JsonPropertyDescription("Standard conditions: Ready, Progressing, Failed.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("Child runs succeeded / in all, e.g. 2/4.")
    public String runsDone;

    @JsonPropertyDescription("Child runs training or waiting for their dataset now (at most spec.maxConcurrent).")
    public Integer running;

    @JsonPropertyDescription("The child runs, one per point of the axes (scores are in the tables and sweep.json).")
    public List<SweepRun> runs = new ArrayList<>();

    @JsonPropertyDescription("The BenchmarkSuite over the base model and every child.")
    public String benchmarkSuite;

    @JsonPropertyDescription("One table per axis: rows = the axis' values, columns = the suite's metrics; filled when "
            + "the suite has succeeded.")
    public List<SweepTable> tables = new ArrayList<>();

    @JsonPropertyDescription("ConfigMap whose key sweep.json holds every run's point and scores and the tables.")
    public String tableConfigMap;

    public AlignmentSweepStatus() {}
}
