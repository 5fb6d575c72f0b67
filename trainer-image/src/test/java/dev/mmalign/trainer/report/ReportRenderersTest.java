package dev.mmalign.trainer.report;

import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.DpoPairRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guards each section renderer as a pure function from its data to HTML: what it draws is what it was given. */
class ReportRenderersTest {

    @Test
    void aLineChartDrawsOnePointPerFiniteValue() {
        String svg = LineChart.render("loss", "step", List.of(new LineChart.Series("loss",
                new double[] {1, 2, 3, 4}, new double[] {0.7, Double.NaN, 0.5, 0.4})));
        assertTrue(svg.contains("data-points=\"3\""), svg);
        assertEquals(3, count(svg, "<circle"));
        assertTrue(svg.contains("<title>loss @ 3.0: 0.5</title>"));
        assertTrue(LineChart.render("x", "step", List.of()).contains("no data"));
        double[] x = new double[LineChart.MAX_DOTS + 1];
        for (int i = 0; i < x.length; i++) x[i] = i;
        String long_ = LineChart.render("loss", "step", List.of(new LineChart.Series("loss", x, x)));
        assertTrue(long_.contains("data-points=\"" + x.length + "\""));
        assertEquals(0, count(long_, "<circle"), "a long series is a line only, to keep the file small");
    }

    @Test
    void aHistogramHasABarPerBinWithItsCount() {
        String svg = Histogram.render("h", List.of("0", "1", "2"), new long[] {4, 0, 2});
        assertEquals(List.of("4", "0", "2"), groups(svg, "data-count=\"(\\d+)\""));
        assertTrue(svg.contains("height=\"0\""), "an empty bin is a zero-height bar, not a missing one");
    }

    @Test
    void datasetSectionCountsRatingsPerAttributeAndBinsMargins() {
        List<AnnotationRecord> annotations = List.of(
                new AnnotationRecord("p", "p#0", Map.of("a", 4, "b", 0), "r", "oracle", null),
                new AnnotationRecord("p", "p#1", Map.of("a", 4, "b", 1), "r", "oracle", null),
                new AnnotationRecord("p", "p#2", Map.of("a", 2, "b", 1), "r", "oracle", null));
        List<DpoPairRecord> pairs = List.of(
                new DpoPairRecord("p", List.of(), "q", "c", "r", 8.0, 5.0, null, null),
                new DpoPairRecord("q", List.of(), "q", "c", "r", 7.0, 3.0, null, null),
                new DpoPairRecord("s", List.of(), "q", "c", "r", 6.0, 3.0, null, null));
        Section s = DatasetSection.render("d", List.of("dpo", "sft"), annotations, pairs, List.of());
        String body = s.body();
        assertTrue(body.contains("<p class=\"trained-on\">Trained on it: dpo, sft</p>"), "names its models: " + body);
        int a = body.indexOf("<figcaption>a</figcaption>");
        int b = body.indexOf("<figcaption>b</figcaption>");
        assertEquals(List.of("0", "0", "1", "0", "2"), groups(body.substring(0, a), "data-count=\"(\\d+)\""));
        assertEquals(List.of("1", "2", "0", "0", "0"), groups(body.substring(a, b), "data-count=\"(\\d+)\""));
        String margins = body.substring(body.indexOf("charts margins"));
        assertEquals(List.of("3", "4"), groups(margins, "data-label=\"(\\d+)\""), "whole margins: a bin per integer");
        assertEquals(List.of("2", "1"), groups(margins, "data-count=\"(\\d+)\""));
        assertTrue(DatasetSection.render("d", List.of(), List.of(), List.of(), List.of("x")).isOmitted());
    }

    @Test
    void fractionalMarginsGetHalfBins() {
        String svg = DatasetSection.marginHistogram(List.of(0.25, 0.75, 1.6));
        assertEquals(List.of("0.0", "0.5", "1.0", "1.5"), groups(svg, "data-label=\"([\\d.]+)\""));
        assertEquals(List.of("1", "1", "0", "1"), groups(svg, "data-count=\"(\\d+)\""));
    }

    @Test
    void trainingCurvesLeaveOutWhatARunDidNotLog() {
        List<StepMetrics> sft = List.of(new StepMetrics(1, Map.of("loss", 2.0, "learning_rate", 1e-4,
                "grad_norm", 1.0)), new StepMetrics(2, Map.of("loss", 1.5, "learning_rate", 5e-5, "grad_norm", 0.8)));
        Map<String, List<StepMetrics>> runs = new LinkedHashMap<>();
        runs.put("sft", sft);
        Section s = TrainingCurvesSection.render(runs, Map.of("base", "no log"));
        assertEquals(3, count(s.body(), "<polyline"), "loss, learning rate, grad norm");
        assertTrue(s.body().contains("Not logged by this run: rewards/accuracies"));
        assertTrue(s.body().contains("base: no log"));
        assertTrue(TrainingCurvesSection.render(Map.of(), Map.of("base", "no log")).isOmitted());
    }

    @Test
    void sweepTablesAndCurvesFollowTheAxis() {
        Map<String, List<Double>> metrics = new LinkedHashMap<>();
        metrics.put("pope/f1", Arrays.asList(0.61, 0.65, null));
        metrics.put("mmbench/accuracy", Arrays.asList(0.3, 0.32, 0.35));
        Section s = SweepSection.render(List.of(new SweepSection.AxisTable("dataFraction",
                List.of("0.25", "0.5", "1.0"), metrics)), "none");
        assertTrue(s.body().contains("<tr><td>0.5</td><td>0.650</td><td>0.320</td></tr>"), s.body());
        assertEquals(List.of("2", "3"), groups(s.body(), "data-points=\"(\\d+)\""), "the missing value is no point");
        assertTrue(s.body().contains("<title>pope/f1 @ 0.5: 0.65</title>"), "numeric axis drawn at its values");
        Section methods = SweepSection.render(List.of(new SweepSection.AxisTable("method", List.of("DPO", "SFT"),
                Map.of("pope/f1", List.of(0.7, 0.6)))), "none");
        assertTrue(methods.body().contains("(0=DPO, 1=SFT)"));
        assertThrows(IllegalArgumentException.class, () -> new SweepSection.AxisTable("beta", List.of("0.1"),
                Map.of("m", List.of(1.0, 2.0))));
        assertTrue(SweepSection.render(List.of(), "no sweep.json").isOmitted());
    }

    /**
     * Guards the baseline as the sweep's reference: a first table row with its scores (a dash where it has none) and,
     * on each metric's curve it has a score for, a dashed line at its score's height: the same height as a point of
     * the same value, and inside the plot even when it is outside the runs' range.
     */
    @Test
    void theBaselineIsARowAndAReferenceLinePerMetric() {
        Map<String, List<Double>> metrics = new LinkedHashMap<>();
        metrics.put("pope/f1", Arrays.asList(0.61, 0.65));
        metrics.put("text/accuracy", Arrays.asList(0.30, 0.20));
        Section s = SweepSection.render(List.of(new SweepSection.AxisTable("dataFraction", List.of("0.5", "1"),
                metrics, "base", Map.of("pope/f1", 0.65, "text/accuracy", 0.45))), "none");
        String body = s.body();
        assertTrue(body.contains("<tr class=\"baseline\" data-model=\"base\"><td>base <small>(baseline)</small></td>"
                + "<td>0.650</td><td>0.450</td></tr><tr><td>0.5</td>"), "the baseline row first: " + body);
        assertEquals(List.of("0.65", "0.45"), groups(body, "class=\"reference\" data-reference=\"base \\(baseline\\)\" "
                + "data-value=\"([\\d.]+)\""), "one reference line per metric");
        // pope/f1: the run at fraction 1 scored the baseline's 0.65, so its point and the line share a height.
        String pope = body.substring(0, body.indexOf("<figcaption>pope/f1"));
        String pointY = group(pope, "<circle cx=\"[\\d.]+\" cy=\"([\\d.]+)\" r=\"1.5\" fill=\"[^\"]+\"><title>pope/f1 @ 1.0");
        assertEquals(pointY, group(pope, "class=\"reference\"[^>]* y1=\"([\\d.]+)\""));
        // text/accuracy: 0.45 is above both runs; the y range takes it in (the line at the plot's top, y = 10).
        String text = body.substring(body.indexOf("<figcaption>pope/f1"));
        assertEquals("10.00", group(text, "class=\"reference\"[^>]* y1=\"([\\d.]+)\""));
        Section none = SweepSection.render(List.of(new SweepSection.AxisTable("beta", List.of("0.1"),
                Map.of("m", List.of(1.0)))), "none");
        assertFalse(none.body().contains("baseline"), "no baseline, no row and no line");
    }

    @Test
    void agreementShowsTheStatisticsAndEveryConfusionCell() {
        long[][] confusion = new long[5][5];
        for (int i = 0; i < 5; i++) confusion[i][i] = i + 1;
        confusion[4][3] = 7;
        Section s = AgreementSection.render(List.of(new AgreementSection.AttributeAgreement("helpfulness", 22,
                0.682, 1.0, 0.91, 0.88, confusion)), "none");
        assertTrue(s.body().contains("<td>helpfulness</td><td>22</td><td>0.682</td><td>1.000</td><td>0.910</td>"
                + "<td>0.880</td>"), s.body());
        List<String> cells = groups(s.body(), "<td data-count=\"(\\d+)\"");
        assertEquals(25, cells.size());
        assertEquals("7", cells.get(4 * 5 + 3), "row human 4, column judge 3");
        assertThrows(IllegalArgumentException.class, () -> new AgreementSection.AttributeAgreement("x", 0, 0, 0, 0,
                0, new long[4][5]));
    }

    @Test
    void samplesAreCappedEscapedAndMarkThePair() {
        List<SampleBrowserSection.Sample> samples = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            samples.add(new SampleBrowserSection.Sample("p" + i, "<q>", null, "image left out: too big",
                    List.of(new SampleBrowserSection.RatedCompletion("p#0", "good", Map.of("a", 4)),
                            new SampleBrowserSection.RatedCompletion("p#1", "bad", Map.of("a", 0))),
                    "because", "good", "bad"));
        }
        String body = SampleBrowserSection.render(samples, "none").body();
        assertEquals(SampleBrowserSection.MAX_SAMPLES, count(body, "<details"));
        assertEquals(1, count(body, " open>"), "the first sample starts open");
        assertFalse(body.contains("<q>"));
        assertTrue(body.contains("<tr class=\"chosen\">") && body.contains("<tr class=\"rejected\">"));
        assertTrue(body.contains("image left out: too big"));
    }

    @Test
    void thePageListsEverySectionAndNotesAnOmittedOne() {
        String page = ReportPage.render("r", List.of(Section.of("a", "A", "<p>x</p>"),
                Section.omitted("b", "B", "no <data>")));
        assertTrue(page.contains("<a href=\"#a\">A</a><a href=\"#b\">B</a>"));
        assertTrue(page.contains("<p class=\"note omitted\">Not shown: no &lt;data&gt;</p>"));
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }

    /** The first match's group 1; fails the test when there is none. */
    private static String group(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        assertTrue(m.find(), regex + " in " + s);
        return m.group(1);
    }

    private static List<String> groups(String s, String regex) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(s);
        while (m.find()) out.add(m.group(1));
        return out;
    }
}
