package dev.mmalign.operator.sweep;

import dev.mmalign.api.bench.BenchmarkResult;
import dev.mmalign.api.sweep.AlignmentSweep;
import dev.mmalign.api.sweep.SweepRun;
import dev.mmalign.api.sweep.SweepTable;
import dev.mmalign.operator.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The sweep's score tables from suite results (pure), with cells computed by hand. */
class SweepTablesTest {

    private static List<SweepRun> runs(AlignmentSweep s) {
        List<SweepRun> out = new ArrayList<>();
        for (var c : SweepPlan.children(s)) {
            SweepRun r = new SweepRun();
            r.name = c.runName();
            r.model = c.model();
            r.point = c.point();
            out.add(r);
        }
        return out;
    }

    private static BenchmarkResult r(String model, String bench, String metric, double score) {
        return new BenchmarkResult(model, bench, metric, score, 100L, null);
    }

    /** Guards rows = axis values, columns = suite metrics, cells = mean over the runs with that value. */
    @Test
    void eachAxisGetsARowPerValueWithTheMeanOfItsRuns() {
        AlignmentSweep s = Fixtures.sweep("ns", "fig2", List.of(0.5, 1.0), List.of(0.1, 0.5), 2);
        List<BenchmarkResult> results = List.of(
                r("base", "pope", "f1", 0.60), r("base", "text", "accuracy", 0.20),
                r("f0p5-b0p1", "pope", "f1", 0.62), r("f0p5-b0p1", "text", "accuracy", 0.30),
                r("f0p5-b0p5", "pope", "f1", 0.64), r("f0p5-b0p5", "text", "accuracy", 0.34),
                r("f1-b0p1", "pope", "f1", 0.70), r("f1-b0p1", "text", "accuracy", 0.40),
                r("f1-b0p5", "pope", "f1", 0.66), r("f1-b0p5", "text", "accuracy", 0.44));
        List<SweepTable> tables = SweepTables.tables(s.getSpec().axes, runs(s), results);
        assertEquals(List.of("dataFraction", "beta"), tables.stream().map(t -> t.axis).toList());
        SweepTable fraction = tables.get(0);
        assertEquals(List.of("pope/f1", "text/accuracy"), fraction.metrics);
        assertEquals("base", fraction.baselineModel);
        assertEquals(Map.of("pope/f1", 0.60, "text/accuracy", 0.20), fraction.baseline);
        assertEquals(List.of("0.5", "1"), fraction.rows.stream().map(row -> row.value).toList());
        assertEquals(2, fraction.rows.get(0).runs);
        assertEquals(0.63, fraction.rows.get(0).scores.get("pope/f1"), 1e-12);  // (0.62 + 0.64) / 2
        assertEquals(0.42, fraction.rows.get(1).scores.get("text/accuracy"), 1e-12);  // (0.40 + 0.44) / 2
        SweepTable beta = tables.get(1);
        assertEquals(0.66, beta.rows.get(0).scores.get("pope/f1"), 1e-12);  // (0.62 + 0.70) / 2
        assertEquals(0.65, beta.rows.get(1).scores.get("pope/f1"), 1e-12);  // (0.64 + 0.66) / 2
    }

    /** Guards partial results: a value with no evaluated run has 0 runs and no cells; the others count only theirs. */
    @Test
    void valuesWithoutEvaluatedRunsHaveNoCells() {
        AlignmentSweep s = Fixtures.sweep("ns", "fig2", List.of(0.5, 1.0), null, 2);
        List<BenchmarkResult> results = List.of(r("base", "pope", "f1", 0.60), r("f0p5", "pope", "f1", 0.62));
        SweepTable t = SweepTables.tables(s.getSpec().axes, runs(s), results).get(0);
        assertEquals(1, t.rows.get(0).runs);
        assertEquals(0.62, t.rows.get(0).scores.get("pope/f1"));
        assertEquals(0, t.rows.get(1).runs);
        assertNull(t.rows.get(1).scores.get("pope/f1"));
        assertFalse(t.rows.get(1).scores.containsKey("pope/f1"));
    }

    /** Guards sweep.json: every run with its own scores and the base's, next to the tables. */
    @Test
    void documentHoldsEveryRunsScores() {
        AlignmentSweep s = Fixtures.sweep("ns", "fig2", List.of(0.5, 1.0), null, 2);
        List<BenchmarkResult> results = List.of(r("base", "pope", "f1", 0.60), r("f0p5", "pope", "f1", 0.62),
                r("f1", "pope", "f1", 0.68));
        var rs = runs(s);
        var doc = SweepTables.document("fig2", "fig2-suite", s.getSpec().axes, rs, results,
                SweepTables.tables(s.getSpec().axes, rs, results));
        assertEquals(List.of("dataFraction"), doc.axes);
        assertEquals(Map.of("pope/f1", 0.60), doc.baseline);
        assertEquals(Map.of("pope/f1", 0.68), doc.runs.get(1).scores);
        assertEquals("1", doc.runs.get(1).point.get("dataFraction"));
        assertEquals(1, doc.tables.size());
    }
}
