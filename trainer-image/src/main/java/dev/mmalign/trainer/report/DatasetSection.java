package dev.mmalign.trainer.report;

import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.DpoPairRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dataset's rating distributions (one histogram of the 0–4 ratings per attribute, over every annotated
 * completion) and its DPO pairs' margins (chosen score minus rejected score: one bin per integer when every margin
 * is whole, as with summed ratings, else bins of {@value #MARGIN_BIN}).
 */
public final class DatasetSection {

    public static final String ID = "dataset";
    public static final String TITLE = "Dataset";
    static final double MARGIN_BIN = 0.5;

    private DatasetSection() {}

    /**
     * Either list may be empty; {@code models}: the models trained on the dataset (named in the section);
     * {@code notes} say what could not be read (shown, not fatal).
     */
    public static Section render(String dataset, List<String> models, List<AnnotationRecord> annotations,
                                 List<DpoPairRecord> pairs, List<String> notes) {
        if (annotations.isEmpty() && pairs.isEmpty()) {
            return Section.omitted(ID, TITLE, notes.isEmpty() ? "no dataset given" : String.join("; ", notes));
        }
        StringBuilder h = new StringBuilder("<p class=\"dataset\" data-dataset=\"").append(Html.esc(dataset))
                .append("\">").append(Html.esc(dataset)).append(": ").append(annotations.size())
                .append(" rated completions, ").append(pairs.size()).append(" DPO pairs.</p>\n");
        if (!models.isEmpty()) {
            h.append("<p class=\"trained-on\">Trained on it: ").append(Html.esc(String.join(", ", models)))
                    .append("</p>\n");
        }
        if (!annotations.isEmpty()) {
            Map<String, long[]> byAttribute = new TreeMap<>();
            for (AnnotationRecord a : annotations) {
                a.ratings().forEach((attr, v) -> {
                    if (v != null && v >= 0 && v <= 4) byAttribute.computeIfAbsent(attr, k -> new long[5])[v]++;
                });
            }
            h.append("<h3>Rating distributions</h3>\n<div class=\"charts ratings\">");
            byAttribute.forEach((attr, counts) -> h.append(Histogram.render(attr, List.of("0", "1", "2", "3", "4"),
                    counts)));
            h.append("</div>\n");
        }
        List<Double> margins = new ArrayList<>();
        for (DpoPairRecord p : pairs) {
            if (p.chosenScore() != null && p.rejectedScore() != null) margins.add(p.chosenScore() - p.rejectedScore());
        }
        if (!margins.isEmpty()) {
            h.append("<h3>DPO pair margins</h3>\n<div class=\"charts margins\">")
                    .append(marginHistogram(margins)).append("</div>\n");
        } else if (!pairs.isEmpty()) {
            h.append("<p class=\"note\">The pairs carry no scores (an imported set), so no margins.</p>\n");
        }
        notes.forEach(n -> h.append("<p class=\"note\">").append(Html.esc(n)).append("</p>\n"));
        return Section.of(ID, TITLE, h.toString());
    }

    /** Bins [k·w, (k+1)·w) from the lowest margin's bin to the highest's, empty bins kept. */
    static String marginHistogram(List<Double> margins) {
        boolean whole = margins.stream().allMatch(m -> m == Math.rint(m));
        double w = whole ? 1 : MARGIN_BIN;
        int lo = Integer.MAX_VALUE;
        int hi = Integer.MIN_VALUE;
        for (double m : margins) {
            int k = (int) Math.floor(m / w + 1e-9);
            lo = Math.min(lo, k);
            hi = Math.max(hi, k);
        }
        long[] counts = new long[hi - lo + 1];
        List<String> labels = new ArrayList<>();
        for (int k = lo; k <= hi; k++) labels.add(whole ? Integer.toString(k) : String.format(Locale.ROOT, "%.1f", k * w));
        for (double m : margins) counts[(int) Math.floor(m / w + 1e-9) - lo]++;
        return Histogram.render("chosen − rejected score (" + margins.size() + " pairs)",
                labels, counts);
    }
}
