package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.report.Html;
import dev.mmalign.trainer.report.ReportPage;
import dev.mmalign.trainer.report.Section;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A self-contained HTML report: a Table-2-like comparison (models × benchmarks, each benchmark's headline metric, with
 * the difference to the first model — the baseline) and a grouped bar chart as inline SVG, each benchmark's bars
 * scaled to its best model so that benchmarks of different scales sit side by side; then every metric of each
 * benchmark (per turn, per category, standard error, counts) in a table per benchmark.
 */
public final class HtmlReport {

    private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
        "#b07aa1", "#ff9da7"};

    private HtmlReport() {}

    /** The whole report with the results section only. */
    public static String render(ResultsFile.Table table) {
        return render(table, List.of());
    }

    /** The report: the results section first, then {@code more} (training, dataset, samples, ...) in order. */
    public static String render(ResultsFile.Table table, List<Section> more) {
        List<Section> sections = new ArrayList<>();
        sections.add(resultsSection(table));
        sections.addAll(more);
        return ReportPage.render("mmalign report", sections);
    }

    static Section resultsSection(ResultsFile.Table table) {
        List<String> models = new ArrayList<>(table.models().keySet());
        Set<String> benchmarks = new LinkedHashSet<>();
        table.models().values().forEach(b -> benchmarks.addAll(b.keySet()));
        if (models.isEmpty()) return Section.omitted("results", "Benchmark results", "no model has results yet");
        String baseline = models.get(0);
        StringBuilder h = new StringBuilder("<table class=\"results\">\n<tr><th>model</th>");
        for (String b : benchmarks) {
            h.append("<th>").append(esc(b)).append("<br><small>").append(esc(headlineOf(table, b)))
                    .append("</small></th>");
        }
        h.append("</tr>\n");
        for (String m : models) {
            h.append("<tr><td>").append(esc(m)).append(m.equals(baseline) ? " <small>(baseline)</small>" : "")
                    .append("</td>");
            for (String b : benchmarks) {
                Double v = value(table, m, b);
                Double base = value(table, baseline, b);
                h.append("<td>").append(v == null ? "–" : format(v));
                if (v != null && base != null && !m.equals(baseline)) {
                    double d = v - base;
                    h.append(" <small class=\"").append(d >= 0 ? "up" : "down").append("\">(")
                            .append(d >= 0 ? "+" : "").append(format(d)).append(")</small>");
                }
                h.append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n<h3>Comparison</h3>\n").append(chart(table, models, new ArrayList<>(benchmarks)));
        h.append("\n<p><small>Bars are scaled per benchmark to its best model; labels show the values.</small></p>\n");
        h.append(details(table, models, benchmarks));
        return Section.of("results", "Benchmark results", h.toString());
    }

    private static String chart(ResultsFile.Table table, List<String> models, List<String> benchmarks) {
        int barWidth = 18;
        int groupGap = 30;
        int plotHeight = 200;
        int groupWidth = Math.max(1, models.size()) * barWidth + groupGap;
        int width = 60 + benchmarks.size() * groupWidth + 160;
        int height = plotHeight + 90;
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"10\">", width, height));
        int baseY = plotHeight + 20;
        s.append(String.format(Locale.ROOT, "<line x1=\"50\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", baseY,
                width - 150, baseY));
        for (int bi = 0; bi < benchmarks.size(); bi++) {
            String b = benchmarks.get(bi);
            double max = models.stream().map(m -> value(table, m, b)).filter(v -> v != null)
                    .mapToDouble(v -> Math.abs(v)).max().orElse(0);
            int x0 = 60 + bi * groupWidth;
            for (int mi = 0; mi < models.size(); mi++) {
                Double v = value(table, models.get(mi), b);
                if (v == null) continue;
                int barHeight = max == 0 ? 0 : (int) Math.round(plotHeight * Math.abs(v) / max);
                int x = x0 + mi * barWidth;
                s.append(String.format(Locale.ROOT,
                        "<rect class=\"result-bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s %s: %s</title></rect>",
                        x, baseY - barHeight, barWidth - 2, barHeight, COLORS[mi % COLORS.length], esc(models.get(mi)),
                        esc(b), format(v)));
                s.append(String.format(Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" transform=\"rotate(-90 %d %d)\">%s</text>", x + 12, baseY - barHeight - 3,
                        x + 12, baseY - barHeight - 3, format(v)));
            }
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>", x0, baseY + 15, esc(b)));
        }
        for (int mi = 0; mi < models.size(); mi++) {
            int y = 20 + mi * 16;
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>", width - 140, y, COLORS[mi % COLORS.length], width - 125,
                    y + 9, esc(models.get(mi))));
        }
        return s.append("</svg>").toString();
    }

    /** Every metric of every benchmark (per turn, per category, standard error, counts), one table per benchmark. */
    private static String details(ResultsFile.Table table, List<String> models, Set<String> benchmarks) {
        StringBuilder h = new StringBuilder("<h3>Details</h3>\n");
        for (String b : benchmarks) {
            Set<String> metrics = new LinkedHashSet<>();
            for (String m : models) {
                Map<String, Double> byMetric = table.models().get(m).get(b);
                if (byMetric != null) metrics.addAll(byMetric.keySet());
            }
            h.append("<h3>").append(esc(b)).append("</h3>\n<table>\n<tr><th>metric</th>");
            for (String m : models) h.append("<th>").append(esc(m)).append("</th>");
            h.append("</tr>\n");
            for (String metric : metrics) {
                h.append("<tr><td>").append(esc(metric)).append("</td>");
                for (String m : models) {
                    Map<String, Double> byMetric = table.models().get(m).get(b);
                    Double v = byMetric == null ? null : byMetric.get(metric);
                    h.append("<td>").append(v == null ? "–" : format(v)).append("</td>");
                }
                h.append("</tr>\n");
            }
            h.append("</table>\n");
        }
        return h.toString();
    }

    private static String headlineOf(ResultsFile.Table table, String benchmark) {
        for (Map<String, Map<String, Double>> byBenchmark : table.models().values()) {
            Map<String, Double> metrics = byBenchmark.get(benchmark);
            if (metrics != null) return BenchmarkMetrics.headline(metrics);
        }
        return "";
    }

    private static Double value(ResultsFile.Table table, String model, String benchmark) {
        if (model == null) return null;
        Map<String, Map<String, Double>> byBenchmark = table.models().get(model);
        Map<String, Double> metrics = byBenchmark == null ? null : byBenchmark.get(benchmark);
        return metrics == null ? null : metrics.get(BenchmarkMetrics.headline(metrics));
    }

    static String format(double v) {
        return Html.num(v);
    }

    static String esc(String s) {
        return Html.esc(s);
    }
}
