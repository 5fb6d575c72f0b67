package dev.mmalign.operator.sweep;

import dev.mmalign.api.bench.BenchmarkResult;
import dev.mmalign.api.bench.SweepAxisValues;
import dev.mmalign.api.sweep.SweepAxes;
import dev.mmalign.api.sweep.SweepDocument;
import dev.mmalign.api.sweep.SweepRun;
import dev.mmalign.api.sweep.SweepTable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The score tables of a sweep from its suite's results (pure): per axis, a row per value, a column per metric
 * ({@code benchmark/metric}, in the order the suite reports them), each cell the mean score of the child runs with
 * that value that have been evaluated (with one axis that is the run's own score: the curve of the paper's Figure 2).
 * A child that ignores an axis (a non-DPO run on the beta axis) is in none of that axis' rows.
 */
public final class SweepTables {

    private SweepTables() {}

    /** The column name of a result. */
    public static String column(BenchmarkResult r) {
        return r.benchmark + "/" + r.metric;
    }

    /** Each model's headline scores by column. */
    static Map<String, Map<String, Double>> scoresByModel(List<BenchmarkResult> results) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (BenchmarkResult r : results) {
            if (r.score != null) {
                out.computeIfAbsent(r.model, m -> new LinkedHashMap<>()).put(column(r), r.score);
            }
        }
        return out;
    }

    /** The metric columns, in the order of the results. */
    static List<String> columns(List<BenchmarkResult> results) {
        Set<String> cols = new LinkedHashSet<>();
        results.forEach(r -> cols.add(column(r)));
        return List.copyOf(cols);
    }

    /**
     * One table per axis set, a cell without scores absent; {@code runs}: the children with their points. Each table
     * carries the base's scores (the sweep suite's baseline, {@link SweepPlan#BASE}) as the reference.
     */
    public static List<SweepTable> tables(SweepAxes axes, List<SweepRun> runs, List<BenchmarkResult> results) {
        return tables(SweepPlan.axisValues(axes), SweepPlan.BASE, runs, results);
    }

    /**
     * As above, from the axes as a suite made by the sweep carries them (its spec.sweepAxes) and the suite's baseline
     * model: the suite's report step gets the same tables as the sweep's status.
     */
    public static List<SweepTable> tables(List<SweepAxisValues> axes, String baselineModel, List<SweepRun> runs,
                                          List<BenchmarkResult> results) {
        List<String> columns = columns(results);
        Map<String, Map<String, Double>> scores = scoresByModel(results);
        Map<String, Double> base = baselineModel == null ? Map.of() : scores.getOrDefault(baselineModel, Map.of());
        List<SweepTable> tables = new ArrayList<>();
        for (SweepAxisValues a : axes) {
            String axis = a.name;
            SweepTable t = new SweepTable();
            t.axis = axis;
            t.metrics = columns;
            t.baselineModel = baselineModel;
            columns.stream().filter(base::containsKey).forEach(c -> t.baseline.put(c, base.get(c)));
            for (String value : a.values) {
                SweepTable.Row row = new SweepTable.Row();
                row.value = value;
                List<Map<String, Double>> evaluated = runs.stream()
                        .filter(r -> value.equals(r.point.get(axis)) && scores.containsKey(r.model))
                        .map(r -> scores.get(r.model)).toList();
                row.runs = evaluated.size();
                for (String c : columns) {
                    Double m = mean(evaluated, c);
                    if (m != null) {
                        row.scores.put(c, m);
                    }
                }
                t.rows.add(row);
            }
            tables.add(t);
        }
        return tables;
    }

    /** sweep.json: every run with its scores, the baseline and the tables. */
    public static SweepDocument document(String sweep, String suite, SweepAxes axes, List<SweepRun> runs,
                                         List<BenchmarkResult> results, List<SweepTable> tables) {
        Map<String, Map<String, Double>> scores = scoresByModel(results);
        SweepDocument doc = new SweepDocument();
        doc.sweep = sweep;
        doc.benchmarkSuite = suite;
        doc.axes = SweepPlan.axesSet(axes);
        doc.metrics = columns(results);
        doc.baseline = new LinkedHashMap<>(scores.getOrDefault(SweepPlan.BASE, Map.of()));
        for (SweepRun r : runs) {
            SweepRun withScores = new SweepRun();
            withScores.name = r.name;
            withScores.model = r.model;
            withScores.point = r.point;
            withScores.phase = r.phase;
            withScores.scores = scores.get(r.model);
            doc.runs.add(withScores);
        }
        doc.tables = tables;
        return doc;
    }

    private static Double mean(List<Map<String, Double>> scores, String column) {
        double sum = 0;
        int n = 0;
        for (Map<String, Double> s : scores) {
            Double v = s.get(column);
            if (v != null) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? null : sum / n;
    }
}
