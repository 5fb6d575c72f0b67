package dev.mmalign.api.sweep;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scores against one axis: a row per value of the axis, a column per metric of the suite's results
 * (benchmark/metric), each cell the mean over the child runs with that value (the points of the other axes).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SweepTable {

    @JsonPropertyDescription("The axis (dataFraction, beta, learningRate, averageLogProbs or method).")
    public String axis;

    @JsonPropertyDescription("Column names: benchmark/metric, in the suite's order.")
    public List<String> metrics = new ArrayList<>();

    @JsonPropertyDescription("The suite's baseline model (the sweep's base) whose scores are in baseline: the "
            + "reference each row is compared with.")
    public String baselineModel;

    @JsonPropertyDescription("The baseline model's score by column (absent where it has none).")
    public Map<String, Double> baseline = new LinkedHashMap<>();

    @JsonPropertyDescription("One row per axis value, in the axis' order.")
    public List<Row> rows = new ArrayList<>();

    public SweepTable() {}

    /** One value of the axis. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Row {
        @JsonPropertyDescription("The axis value.")
        public String value;
        @JsonPropertyDescription("Child runs with this value whose scores are in the cells.")
        public Integer runs;
        @JsonPropertyDescription("Mean score by column over those runs (absent where none has it).")
        public Map<String, Double> scores = new LinkedHashMap<>();

        public Row() {}
    }
}
