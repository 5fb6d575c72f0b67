package dev.mmalign.trainer.report;

import java.util.List;

/**
 * The report's page: one self-contained HTML file (inline CSS and SVG, no script, nothing fetched at view time) with
 * a table of contents linking to each section; an omitted section shows its note instead of a body.
 */
public final class ReportPage {

    private static final String CSS = "body{font-family:sans-serif;margin:2em;max-width:1200px;color:#222}"
            + "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
            + "text-align:right}th:first-child,td:first-child{text-align:left}.up{color:#1a7f37}.down{color:#cf222e}"
            + "small,.note{color:#666}nav a{margin-right:1em}section{margin-top:2em;border-top:1px solid #ddd}"
            + ".charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}figcaption{font-size:12px;color:#444}"
            + "details{margin:.4em 0;padding:.3em .6em;border:1px solid #ddd;border-radius:4px}"
            + "summary{cursor:pointer;font-weight:bold}pre{white-space:pre-wrap;margin:.2em 0}"
            + ".chosen{background:#e6f4ea}.rejected{background:#fce8e6}";

    private ReportPage() {}

    public static String render(String title, List<Section> sections) {
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
                .append(Html.esc(title)).append("</title><style>").append(CSS).append("</style></head><body>\n<h1>")
                .append(Html.esc(title)).append("</h1>\n<nav>");
        for (Section s : sections) {
            h.append("<a href=\"#").append(Html.esc(s.id())).append("\">").append(Html.esc(s.title())).append("</a>");
        }
        h.append("</nav>\n");
        for (Section s : sections) {
            h.append("<section id=\"").append(Html.esc(s.id())).append("\"><h2>").append(Html.esc(s.title()))
                    .append("</h2>\n");
            if (s.isOmitted()) {
                h.append("<p class=\"note omitted\">Not shown: ").append(Html.esc(s.omittedBecause())).append("</p>\n");
            } else {
                h.append(s.body()).append('\n');
            }
            h.append("</section>\n");
        }
        return h.append("</body></html>\n").toString();
    }
}
