package dev.mmalign.local;

import dev.mmalign.api.sweep.AlignmentSweep;
import dev.mmalign.api.sweep.SweepTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An AlignmentSweep's {@code status.tables} as text, one table per axis: the baseline model's row first (the
 * reference), then a row per axis value with the number of child runs scored and the mean score per metric.
 */
final class SweepStatusTable {

    private SweepStatusTable() {
    }

    static String render(AlignmentSweep sweep) {
        List<SweepTable> tables = sweep.getStatus() == null || sweep.getStatus().tables == null ? List.of()
                : sweep.getStatus().tables;
        if (tables.isEmpty()) {
            return "(no tables)\n";
        }
        StringBuilder b = new StringBuilder();
        for (SweepTable t : tables) {
            List<List<String>> rows = new ArrayList<>();
            List<String> header = new ArrayList<>(List.of(t.axis, "runs"));
            header.addAll(t.metrics);
            rows.add(header);
            if (t.baselineModel != null && t.baseline != null && !t.baseline.isEmpty()) {
                rows.add(row(t.baselineModel + " (baseline)", "-", t.metrics, t.baseline));
            }
            for (SweepTable.Row r : t.rows) {
                rows.add(row(r.value, r.runs == null ? "-" : r.runs.toString(), t.metrics, r.scores));
            }
            b.append(SuiteTable.format(rows)).append('\n');
        }
        return b.toString();
    }

    private static List<String> row(String name, String runs, List<String> metrics, Map<String, Double> scores) {
        List<String> row = new ArrayList<>(List.of(name, runs));
        for (String m : metrics) {
            Double v = scores == null ? null : scores.get(m);
            row.add(v == null ? "-" : String.format(Locale.ROOT, "%.4f", v));
        }
        return row;
    }
}
