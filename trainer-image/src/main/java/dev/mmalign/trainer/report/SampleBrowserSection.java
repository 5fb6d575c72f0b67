package dev.mmalign.trainer.report;

import java.util.List;
import java.util.Map;

/**
 * A handful of dataset samples, each a {@code <details>} element (the first open): the prompt, its image as an inline
 * data URL, every completion with its ratings, the judge's reasoning, and the DPO pair built from them. Texts are
 * cut at {@value #MAX_TEXT} characters and at most {@value #MAX_SAMPLES} samples are shown, to keep the file small.
 */
public final class SampleBrowserSection {

    public static final String ID = "samples";
    public static final String TITLE = "Sample browser";
    public static final int MAX_SAMPLES = 6;
    static final int MAX_TEXT = 600;

    /** One completion and the judge's ratings of it (empty when not rated). */
    public record RatedCompletion(String id, String text, Map<String, Integer> ratings) {}

    /**
     * One prompt: {@code imageDataUrl} null for a text-only prompt or an image left out (then {@code imageNote}
     * says why); {@code chosen}/{@code rejected} null when no pair was built from it.
     */
    public record Sample(String promptId, String question, String imageDataUrl, String imageNote,
                         List<RatedCompletion> completions, String reasoning, String chosen, String rejected) {}

    private SampleBrowserSection() {}

    public static Section render(List<Sample> samples, String whyNone) {
        if (samples.isEmpty()) return Section.omitted(ID, TITLE, whyNone);
        StringBuilder h = new StringBuilder("<p><small>").append(Math.min(samples.size(), MAX_SAMPLES))
                .append(" samples; click one to open it.</small></p>\n");
        for (int i = 0; i < Math.min(samples.size(), MAX_SAMPLES); i++) {
            Sample s = samples.get(i);
            h.append("<details class=\"sample\" data-prompt=\"").append(Html.esc(s.promptId())).append('"')
                    .append(i == 0 ? " open" : "").append("><summary>").append(Html.esc(s.promptId())).append(": ")
                    .append(Html.esc(cut(s.question(), 90))).append("</summary>\n");
            if (s.imageDataUrl() != null) {
                h.append("<img class=\"sample-image\" alt=\"").append(Html.esc(s.promptId())).append("\" src=\"")
                        .append(Html.esc(s.imageDataUrl())).append("\">\n");
            } else if (s.imageNote() != null) {
                h.append("<p class=\"note\">").append(Html.esc(s.imageNote())).append("</p>\n");
            }
            h.append("<p><b>Prompt</b></p><pre>").append(Html.esc(cut(s.question(), MAX_TEXT))).append("</pre>\n");
            h.append("<table class=\"completions\"><tr><th>completion</th><th>ratings</th></tr>");
            for (RatedCompletion c : s.completions()) {
                String cls = c.text().equals(s.chosen()) ? " class=\"chosen\""
                        : c.text().equals(s.rejected()) ? " class=\"rejected\"" : "";
                h.append("<tr").append(cls).append("><td style=\"text-align:left\"><pre>")
                        .append(Html.esc(cut(c.text(), MAX_TEXT))).append("</pre></td><td>");
                c.ratings().forEach((k, v) -> h.append(Html.esc(k)).append('=').append(v).append(' '));
                h.append("</td></tr>");
            }
            h.append("</table>\n");
            if (s.reasoning() != null && !s.reasoning().isBlank()) {
                h.append("<p><b>Judge's reasoning</b></p><pre class=\"reasoning\">")
                        .append(Html.esc(cut(s.reasoning(), MAX_TEXT))).append("</pre>\n");
            }
            if (s.chosen() != null) {
                h.append("<p><b>DPO pair</b></p><pre class=\"chosen\">chosen: ").append(Html.esc(cut(s.chosen(),
                        MAX_TEXT))).append("</pre><pre class=\"rejected\">rejected: ")
                        .append(Html.esc(cut(s.rejected(), MAX_TEXT))).append("</pre>\n");
            }
            h.append("</details>\n");
        }
        return Section.of(ID, TITLE, h.toString());
    }

    static String cut(String s, int max) {
        if (s == null) return "";
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
