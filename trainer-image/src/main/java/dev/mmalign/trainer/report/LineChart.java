package dev.mmalign.trainer.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A small line chart as inline SVG: one polyline per series over shared axes, the axes' ranges printed at their ends.
 * Each polyline carries its series name and point count ({@code data-series}, {@code data-points}) and each point's
 * exact value in a tooltip (series of up to {@value #MAX_DOTS} points), so the chart can be checked against its
 * input. Non-finite points are left out.
 */
public final class LineChart {

    /** One line: y against x, same length. */
    public record Series(String name, double[] x, double[] y) {}

    /** A horizontal reference line at {@code y} across the whole plot (e.g. the baseline model's score), dashed. */
    public record Reference(String name, double y) {}

    static final String[] COLORS = {"#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948",
        "#ff9da7"};
    private static final int W = 380;
    private static final int H = 210;
    private static final int LEFT = 58;
    private static final int RIGHT = 10;
    private static final int TOP = 10;
    private static final int BOTTOM = 40;

    /** Longer series get no per-point dots and tooltips: a 1,300-step run would make the file megabytes. */
    static final int MAX_DOTS = 60;

    private LineChart() {}

    private static int finite(Series s) {
        int n = 0;
        for (int i = 0; i < s.x().length; i++) if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) n++;
        return n;
    }

    public static String render(String caption, String xLabel, List<Series> series) {
        return render(caption, xLabel, series, List.of());
    }

    /** As above with reference lines; a non-finite reference is left out. The y range takes them in. */
    public static String render(String caption, String xLabel, List<Series> series, List<Reference> references) {
        double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.x()[i]) || !Double.isFinite(s.y()[i])) continue;
                minX = Math.min(minX, s.x()[i]);
                maxX = Math.max(maxX, s.x()[i]);
                minY = Math.min(minY, s.y()[i]);
                maxY = Math.max(maxY, s.y()[i]);
            }
        }
        boolean hasData = minX <= maxX;
        for (Reference r : references) {
            if (!hasData || !Double.isFinite(r.y())) continue;
            minY = Math.min(minY, r.y());
            maxY = Math.max(maxY, r.y());
        }
        StringBuilder svg = new StringBuilder("<figure class=\"chart line\"><svg xmlns=\"http://www.w3.org/2000/svg\""
                + " width=\"" + W + "\" height=\"" + H + "\" font-size=\"10\">");
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        svg.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(plotW)
                .append("\" height=\"").append(plotH).append("\" fill=\"none\" stroke=\"#bbb\"/>");
        if (minX > maxX) {
            svg.append("<text x=\"").append(LEFT + 10).append("\" y=\"").append(TOP + 20).append("\">no data</text>");
        } else {
            // A flat line or a single point still gets a visible range.
            if (maxY == minY) { maxY += 0.5; minY -= 0.5; }
            if (maxX == minX) { maxX += 0.5; minX -= 0.5; }
            for (int si = 0; si < series.size(); si++) {
                Series s = series.get(si);
                String color = COLORS[si % COLORS.length];
                List<String> pts = new ArrayList<>();
                StringBuilder dots = new StringBuilder();
                for (int i = 0; i < s.x().length; i++) {
                    if (!Double.isFinite(s.x()[i]) || !Double.isFinite(s.y()[i])) continue;
                    double px = LEFT + plotW * (s.x()[i] - minX) / (maxX - minX);
                    double py = TOP + plotH * (1 - (s.y()[i] - minY) / (maxY - minY));
                    pts.add(Html.coord(px) + "," + Html.coord(py));
                    if (finite(s) > MAX_DOTS) continue;
                    dots.append("<circle cx=\"").append(Html.coord(px)).append("\" cy=\"").append(Html.coord(py))
                            .append("\" r=\"1.5\" fill=\"").append(color).append("\"><title>")
                            .append(Html.esc(s.name())).append(" @ ").append(Html.exact(s.x()[i])).append(": ")
                            .append(Html.exact(s.y()[i])).append("</title></circle>");
                }
                svg.append("<polyline class=\"series\" data-series=\"").append(Html.esc(s.name()))
                        .append("\" data-points=\"").append(pts.size()).append("\" fill=\"none\" stroke=\"")
                        .append(color).append("\" stroke-width=\"1.5\" points=\"").append(String.join(" ", pts))
                        .append("\"/>").append(dots);
                svg.append("<text x=\"").append(LEFT + 6 + 110 * si).append("\" y=\"").append(H - 4)
                        .append("\" fill=\"").append(color).append("\">").append(Html.esc(s.name())).append("</text>");
            }
            for (Reference r : references) {
                if (!Double.isFinite(r.y())) continue;
                String py = Html.coord(TOP + plotH * (1 - (r.y() - minY) / (maxY - minY)));
                svg.append("<line class=\"reference\" data-reference=\"").append(Html.esc(r.name()))
                        .append("\" data-value=\"").append(Html.exact(r.y())).append("\" x1=\"").append(LEFT)
                        .append("\" x2=\"").append(LEFT + plotW).append("\" y1=\"").append(py).append("\" y2=\"")
                        .append(py).append("\" stroke=\"#555\" stroke-dasharray=\"4 3\"><title>")
                        .append(Html.esc(r.name())).append(": ").append(Html.exact(r.y())).append("</title></line>")
                        .append("<text x=\"").append(LEFT + plotW - 2).append("\" y=\"").append(py)
                        .append("\" dy=\"-3\" text-anchor=\"end\" fill=\"#555\">").append(Html.esc(r.name()))
                        .append("</text>");
            }
            svg.append(label(LEFT - 4, TOP + 8, "end", tick(maxY)))
                    .append(label(LEFT - 4, TOP + plotH, "end", tick(minY)))
                    .append(label(LEFT, TOP + plotH + 12, "start", tick(minX)))
                    .append(label(LEFT + plotW, TOP + plotH + 12, "end", tick(maxX)))
                    .append(label(LEFT + plotW / 2, TOP + plotH + 12, "middle", xLabel));
        }
        svg.append("</svg><figcaption>").append(Html.esc(caption)).append("</figcaption></figure>");
        return svg.toString();
    }

    /** Axis ends: whole numbers (steps) as such, learning rates (1e-4) in scientific notation. */
    static String tick(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) return Long.toString((long) v);
        if (v != 0 && Math.abs(v) < 0.01) return String.format(java.util.Locale.ROOT, "%.2e", v);
        return Html.num(v);
    }

    private static String label(int x, int y, String anchor, String text) {
        return "<text x=\"" + x + "\" y=\"" + y + "\" text-anchor=\"" + anchor + "\">" + Html.esc(text) + "</text>";
    }
}
