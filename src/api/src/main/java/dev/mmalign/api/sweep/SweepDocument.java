package dev.mmalign.api.sweep;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sweep's results as one JSON document ({@value #FILE_NAME}), for the report: every child's point and scores, the
 * base model's scores and the per-axis tables of the status. The operator keeps it under key {@value #FILE_NAME} of
 * the ConfigMap named in status.tableConfigMap (the operator writes no files on the claim).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SweepDocument {

    /** The document's file name, and its key in the sweep's ConfigMap. */
    public static final String FILE_NAME = "sweep.json";
    /** Name of the ConfigMap holding the document of sweep {@code sweep}: {@code <sweep>-sweep} (fit to 63). */
    public static final String CONFIG_MAP_SUFFIX = "-sweep";

    @JsonPropertyDescription("The AlignmentSweep's name.")
    public String sweep;

    @JsonPropertyDescription("Its BenchmarkSuite.")
    public String benchmarkSuite;

    @JsonPropertyDescription("The axes in the spec's order (dataFraction, beta, learningRate, averageLogProbs, method).")
    public List<String> axes = new ArrayList<>();

    @JsonPropertyDescription("Metric columns: benchmark/metric.")
    public List<String> metrics = new ArrayList<>();

    @JsonPropertyDescription("The base model's score per metric column.")
    public Map<String, Double> baseline = new LinkedHashMap<>();

    @JsonPropertyDescription("Every child run with its point and scores.")
    public List<SweepRun> runs = new ArrayList<>();

    @JsonPropertyDescription("One table per axis (as in status.tables).")
    public List<SweepTable> tables = new ArrayList<>();

    public SweepDocument() {}
}
