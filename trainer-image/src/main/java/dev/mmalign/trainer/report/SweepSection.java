package dev.mmalign.trainer.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An alignment sweep's results: per axis (data fraction, beta, learning rate, log-prob averaging, method), a table of
 * every metric at each of the axis's values and a curve per metric against the axis, as the paper's Figure 2. A
 * numeric axis is drawn at its values; any other at its values' positions (0, 1, ...), named under the chart. The
 * suite's baseline model (the sweep's base) is the reference: a first row of the table and a dashed horizontal line
 * on each metric's curve, so a gain or a loss against it shows at a glance.
 */
public final class SweepSection {

    public static final String ID = "sweep";
    public static final String TITLE = "Sweep";

    /**
     * One axis of a sweep: its name (e.g. "dataFraction"), its values in order as written in the manifest, per
     * metric (e.g. "pope/f1") the value at each axis value, same length as {@code values}, null where missing; and
     * the baseline model's name (null when none) with its score per metric (absent where it has none).
     */
    public record AxisTable(String axis, List<String> values, Map<String, List<Double>> metrics,
                            String baselineModel, Map<String, Double> baseline) {
        public AxisTable(String axis, List<String> values, Map<String, List<Double>> metrics) {
            this(axis, values, metrics, null, Map.of());
        }

        public AxisTable {
            baseline = baseline == null ? Map.of() : baseline;
            for (Map.Entry<String, List<Double>> e : metrics.entrySet()) {
                if (e.getValue().size() != values.size()) {
                    throw new IllegalArgumentException("axis " + axis + ": metric " + e.getKey() + " has "
                            + e.getValue().size() + " values for " + values.size() + " axis values");
                }
            }
        }
    }

    private SweepSection() {}

    /** {@code whyNone} is the note shown when there is no sweep. */
    public static Section render(List<AxisTable> axes, String whyNone) {
        if (axes.isEmpty()) return Section.omitted(ID, TITLE, whyNone);
        StringBuilder h = new StringBuilder();
        for (AxisTable a : axes) {
            h.append("<h3 class=\"axis\" data-axis=\"").append(Html.esc(a.axis())).append("\">")
                    .append(Html.esc(a.axis())).append("</h3>\n<table class=\"sweep\"><tr><th>")
                    .append(Html.esc(a.axis())).append("</th>");
            a.metrics().keySet().forEach(m -> h.append("<th>").append(Html.esc(m)).append("</th>"));
            h.append("</tr>");
            boolean hasBaseline = a.baselineModel() != null && !a.baseline().isEmpty();
            if (hasBaseline) {
                h.append("<tr class=\"baseline\" data-model=\"").append(Html.esc(a.baselineModel()))
                        .append("\"><td>").append(Html.esc(a.baselineModel())).append(" <small>(baseline)</small></td>");
                for (String m : a.metrics().keySet()) {
                    Double v = a.baseline().get(m);
                    h.append("<td>").append(v == null ? "–" : Html.num(v)).append("</td>");
                }
                h.append("</tr>");
            }
            for (int i = 0; i < a.values().size(); i++) {
                h.append("<tr><td>").append(Html.esc(a.values().get(i))).append("</td>");
                for (List<Double> column : a.metrics().values()) {
                    Double v = column.get(i);
                    h.append("<td>").append(v == null ? "–" : Html.num(v)).append("</td>");
                }
                h.append("</tr>");
            }
            h.append("</table>\n<div class=\"charts\">");
            double[] x = positions(a.values());
            boolean numeric = x != null;
            if (!numeric) {
                x = new double[a.values().size()];
                for (int i = 0; i < x.length; i++) x[i] = i;
            }
            for (Map.Entry<String, List<Double>> m : a.metrics().entrySet()) {
                double[] y = new double[x.length];
                for (int i = 0; i < y.length; i++) y[i] = m.getValue().get(i) == null ? Double.NaN : m.getValue().get(i);
                String caption = m.getKey() + " vs " + a.axis() + (numeric ? "" : " (" + legend(a.values()) + ")");
                Double base = hasBaseline ? a.baseline().get(m.getKey()) : null;
                List<LineChart.Reference> refs = base == null ? List.of()
                        : List.of(new LineChart.Reference(a.baselineModel() + " (baseline)", base));
                h.append(LineChart.render(caption, a.axis(), List.of(new LineChart.Series(m.getKey(), x, y)), refs));
            }
            h.append("</div>\n");
        }
        return Section.of(ID, TITLE, h.toString());
    }

    /** The values as numbers, or null when one is not a number. */
    static double[] positions(List<String> values) {
        double[] x = new double[values.size()];
        for (int i = 0; i < x.length; i++) {
            try {
                x[i] = Double.parseDouble(values.get(i));
            } catch (NumberFormatException | NullPointerException e) {
                return null;
            }
        }
        return x;
    }

    private static String legend(List<String> values) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) parts.add(i + "=" + values.get(i));
        return String.join(", ", parts);
    }
}
