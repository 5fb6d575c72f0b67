package dev.mmalign.local;

import dev.mmalign.api.bench.BenchmarkResult;
import dev.mmalign.api.bench.BenchmarkSuite;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A BenchmarkSuite's {@code status.results} as a text table: one row per model, one column per benchmark (metric),
 * each cell the score and its delta against the suite's baseline model, e.g. {@code 0.7500 (+0.0625)}.
 */
final class SuiteTable {

    private SuiteTable() {
    }

    static String render(BenchmarkSuite suite) {
        List<BenchmarkResult> results = suite.getStatus() == null || suite.getStatus().results == null ? List.of()
                : suite.getStatus().results;
        if (results.isEmpty()) {
            return "(no results)\n";
        }
        Set<String> models = new LinkedHashSet<>();
        Set<String> columns = new LinkedHashSet<>();
        Map<String, String> cells = new LinkedHashMap<>();
        for (BenchmarkResult r : results) {
            String column = r.metric == null ? r.benchmark : r.benchmark + " " + r.metric;
            models.add(r.model);
            columns.add(column);
            cells.put(r.model + "\u0000" + column, cell(r));
        }
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>();
        String baseline = suite.getSpec() == null ? null : suite.getSpec().baseline;
        header.add("model");
        header.addAll(columns);
        rows.add(header);
        for (String m : models) {
            List<String> row = new ArrayList<>();
            row.add(m.equals(baseline) ? m + " (baseline)" : m);
            for (String c : columns) {
                row.add(cells.getOrDefault(m + "\u0000" + c, "-"));
            }
            rows.add(row);
        }
        return format(rows);
    }

    private static String cell(BenchmarkResult r) {
        if (r.score == null) {
            return "-";
        }
        String s = String.format(Locale.ROOT, "%.4f", r.score);
        return r.delta == null ? s : s + String.format(Locale.ROOT, " (%+.4f)", r.delta);
    }

    /** Rows as aligned text columns (the first row the header, underlined; names left, figures right). */
    static String format(List<List<String>> rows) {
        int cols = rows.get(0).size();
        int[] width = new int[cols];
        for (List<String> row : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            for (int i = 0; i < cols; i++) {
                String v = row.get(i);
                // Names left-aligned, figures right-aligned so the deltas line up.
                b.append(i == 0 ? pad(v, width[i], false) : pad(v, width[i], r > 0)).append(i + 1 < cols ? "  " : "");
            }
            b.append('\n');
            if (r == 0) {
                for (int i = 0; i < cols; i++) {
                    b.append("-".repeat(width[i])).append(i + 1 < cols ? "  " : "");
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    private static String pad(String v, int w, boolean right) {
        String fill = " ".repeat(w - v.length());
        return right ? fill + v : v + fill;
    }
}
