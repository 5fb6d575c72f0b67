package dev.mmalign.trainer.report;

import java.util.List;

/**
 * Judge–human agreement per attribute, as the paper's Figure 3: exact-match and within-one rates, Spearman and
 * Pearson correlation, and the 5×5 confusion matrix (rows: the human rating 0–4, columns: the judge's), each cell
 * shaded by its share of the row.
 */
public final class AgreementSection {

    public static final String ID = "agreement";
    public static final String TITLE = "Judge–human agreement";

    /**
     * One attribute's agreement over {@code n} completions rated by both; {@code confusion[human][judge]} counts,
     * 5×5 for the ratings 0–4. Correlations are NaN when undefined (a constant rating).
     */
    public record AttributeAgreement(String attribute, long n, double exact, double withinOne, double spearman,
                                     double pearson, long[][] confusion) {
        public AttributeAgreement {
            if (confusion.length != 5) throw new IllegalArgumentException(attribute + ": confusion needs 5 rows");
            for (long[] row : confusion) {
                if (row.length != 5) throw new IllegalArgumentException(attribute + ": confusion rows need 5 cells");
            }
        }
    }

    private AgreementSection() {}

    public static Section render(List<AttributeAgreement> attributes, String whyNone) {
        if (attributes.isEmpty()) return Section.omitted(ID, TITLE, whyNone);
        StringBuilder h = new StringBuilder("<table class=\"agreement\"><tr><th>attribute</th><th>n</th>"
                + "<th>exact</th><th>within one</th><th>Spearman</th><th>Pearson</th></tr>");
        for (AttributeAgreement a : attributes) {
            h.append("<tr data-attribute=\"").append(Html.esc(a.attribute())).append("\"><td>")
                    .append(Html.esc(a.attribute())).append("</td><td>").append(a.n()).append("</td><td>")
                    .append(figure(a.exact())).append("</td><td>").append(figure(a.withinOne())).append("</td><td>")
                    .append(figure(a.spearman())).append("</td><td>").append(figure(a.pearson()))
                    .append("</td></tr>");
        }
        h.append("</table>\n<div class=\"charts\">");
        for (AttributeAgreement a : attributes) {
            h.append("<figure><table class=\"confusion\" data-attribute=\"").append(Html.esc(a.attribute()))
                    .append("\"><tr><th>human \\ judge</th>");
            for (int j = 0; j < 5; j++) h.append("<th>").append(j).append("</th>");
            h.append("</tr>");
            for (int i = 0; i < 5; i++) {
                long rowSum = 0;
                for (long c : a.confusion()[i]) rowSum += c;
                h.append("<tr><th>").append(i).append("</th>");
                for (int j = 0; j < 5; j++) {
                    long c = a.confusion()[i][j];
                    double share = rowSum == 0 ? 0 : (double) c / rowSum;
                    h.append("<td data-count=\"").append(c).append("\" style=\"background:rgba(78,121,167,")
                            .append(Html.coord(share)).append(")\">").append(c).append("</td>");
                }
                h.append("</tr>");
            }
            h.append("</table><figcaption>").append(Html.esc(a.attribute())).append("</figcaption></figure>");
        }
        return Section.of(ID, TITLE, h.append("</div>\n").toString());
    }

    /** A figure, or a dash where it is undefined (NaN: e.g. a correlation where one side never varies). */
    private static String figure(double v) {
        return Double.isNaN(v) ? "–" : Html.num(v);
    }
}
