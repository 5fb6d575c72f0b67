package dev.mmalign.trainer.report;

import java.util.List;

/**
 * A bar chart of counts as inline SVG: one {@code rect class="bar"} per bin, empty bins included (height 0), each
 * with its label and count in {@code data-label}/{@code data-count} and a tooltip, the count printed above the bar.
 */
public final class Histogram {

    private static final int H = 170;
    private static final int TOP = 16;
    private static final int BOTTOM = 34;
    private static final int BAR = 26;
    private static final int GAP = 6;

    private Histogram() {}

    public static String render(String caption, List<String> labels, long[] counts) {
        if (labels.size() != counts.length) throw new IllegalArgumentException("one label per bin");
        long max = 0;
        for (long c : counts) max = Math.max(max, c);
        int plotH = H - TOP - BOTTOM;
        int width = Math.max(120, 20 + counts.length * (BAR + GAP));
        StringBuilder svg = new StringBuilder("<figure class=\"chart histogram\"><svg xmlns=\"http://www.w3.org/2000/svg\""
                + " width=\"" + width + "\" height=\"" + H + "\" font-size=\"10\">");
        for (int i = 0; i < counts.length; i++) {
            int h = max == 0 ? 0 : (int) Math.round(plotH * (double) counts[i] / max);
            int x = 10 + i * (BAR + GAP);
            int y = TOP + plotH - h;
            svg.append("<rect class=\"bar\" data-label=\"").append(Html.esc(labels.get(i))).append("\" data-count=\"")
                    .append(counts[i]).append("\" x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"")
                    .append(BAR).append("\" height=\"").append(h).append("\" fill=\"#4e79a7\"><title>")
                    .append(Html.esc(labels.get(i))).append(": ").append(counts[i]).append("</title></rect>");
            svg.append("<text x=\"").append(x + BAR / 2).append("\" y=\"").append(y - 3)
                    .append("\" text-anchor=\"middle\">").append(counts[i]).append("</text>");
            svg.append("<text x=\"").append(x + BAR / 2).append("\" y=\"").append(TOP + plotH + 12)
                    .append("\" text-anchor=\"middle\">").append(Html.esc(labels.get(i))).append("</text>");
        }
        svg.append("<line x1=\"8\" x2=\"").append(width - 4).append("\" y1=\"").append(TOP + plotH).append("\" y2=\"")
                .append(TOP + plotH).append("\" stroke=\"#333\"/>");
        return svg.append("</svg><figcaption>").append(Html.esc(caption)).append("</figcaption></figure>").toString();
    }
}
