package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageInputs;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.api.sweep.SweepTable;
import dev.mmalign.trainer.report.SampleBrowserSection;
import dev.mmalign.trainer.stage.StageContext;
import dev.mmalign.trainer.stage.StopSignal;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Guards that the report renders in a real browser (Debian's chromium, headless) and that its charts carry the
 * input's data: the DOM chromium builds from the file has every section, a polyline per logged metric with one point
 * per step, the exact loss values in the tooltips, one bar per rating with the counts of the input, the margin bars
 * summing to the pairs, and the samples with their inline images. Skipped when chromium is missing only outside CI
 * (env CI unset); in CI a missing browser fails. Also leaves a screenshot of the whole page in
 * target/report-screenshot.png, for a person to look at.
 */
class ReportInBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    Path dir;

    @Test
    void theRenderedDomHasEverySectionAndChartsCarryTheInput() throws Exception {
        requireChromium();
        ReportFixture fx = new ReportFixture(dir.resolve("storage"));
        ResultsFile.Table table = new ResultsFile.Table(new LinkedHashMap<>());
        table.models().put("base", Map.of("pope", Map.of("f1", 0.613, "accuracy", 0.58)));
        table.models().put("dpo", Map.of("pope", Map.of("f1", 0.689, "accuracy", 0.64)));
        Path report = dir.resolve("report.html");
        Files.writeString(report, HtmlReport.render(table, ReportSources.sections(fx.context(true))));

        String dom = chromium(report, "--dump-dom");

        for (String id : List.of("results", "training", "dataset", "agreement", "samples")) {
            assertTrue(dom.contains("<section id=\"" + id + "\">"), "section " + id);
        }
        assertFalse(dom.contains("class=\"note omitted\""), "no section omitted when every input is there");
        assertEquals(25, count(dom, "<td data-count="), "a 5x5 confusion matrix of the agreement");
        assertTrue(dom.contains("<td>0.750</td><td>0.700</td>"), "Spearman and Pearson shown");
        assertEquals(2, count(dom, "<rect class=\"result-bar\""), "a results bar per model");

        // Training curves: a polyline per metric and run, one point per logged step.
        Map<String, Integer> pointsByRunAndSeries = new LinkedHashMap<>();
        Matcher runs = Pattern.compile("data-run=\"(\\w+)\"").matcher(dom);
        List<Integer> runStarts = new ArrayList<>();
        List<String> runNames = new ArrayList<>();
        while (runs.find()) { runStarts.add(runs.start()); runNames.add(runs.group(1)); }
        assertEquals(List.of("dpo", "sft"), runNames, "the runs with a log, not the base");
        Matcher lines = Pattern.compile("<polyline class=\"series\" data-series=\"([^\"]+)\" data-points=\"(\\d+)\"")
                .matcher(dom);
        while (lines.find()) {
            int run = runStarts.size() - 1;
            while (run > 0 && runStarts.get(run) > lines.start()) run--;
            pointsByRunAndSeries.put(runNames.get(run) + ":" + lines.group(1), Integer.parseInt(lines.group(2)));
        }
        for (String metric : List.of("loss", "rewards/accuracies", "rewards/margins", "rewards/chosen",
                "rewards/rejected", "logps/chosen", "logps/rejected", "learning_rate", "grad_norm")) {
            assertEquals(ReportFixture.DPO_STEPS, pointsByRunAndSeries.get("dpo:" + metric), "dpo " + metric);
        }
        assertEquals(ReportFixture.SFT_STEPS, pointsByRunAndSeries.get("sft:loss"));
        assertFalse(pointsByRunAndSeries.containsKey("sft:rewards/margins"), "SFT logs no rewards");
        assertTrue(dom.contains("<title>loss @ 7.0: " + ReportFixture.fmt(fx.dpoLoss.get(6)) + "</title>"),
                "the exact loss of step 7 is in its point's tooltip");

        // Rating distributions: five bars per attribute with the input's counts.
        assertRatingBars(dom, fx.ratingCounts);
        // Pair margins: the bars hold every pair, the tallest bin is the input's most frequent margin.
        assertMarginBars(dom, fx.margins());

        // Sample browser: capped, images inline, completions escaped, the pair shown.
        assertEquals(SampleBrowserSection.MAX_SAMPLES, count(dom, "<details class=\"sample\""));
        assertEquals(SampleBrowserSection.MAX_SAMPLES, count(dom, "src=\"data:image/png;base64,"));
        assertTrue(dom.contains("are two circles &lt;b&gt;."), "completion text is escaped, not markup");
        assertTrue(dom.contains("completion 0 says so?"), "the judge's reasoning");
        assertTrue(dom.contains("<pre class=\"chosen\">chosen: "));
        assertFalse(dom.contains("src=\"http") || dom.contains("href=\"http") || dom.contains("<script"),
                "nothing fetched or run at view time");

        Path png = Path.of("target", "report-screenshot.png");
        Files.createDirectories(png.getParent());
        chromium(report, "--screenshot=" + png.toAbsolutePath(), "--window-size=1280,4200",
                "--hide-scrollbars");
        assertTrue(Files.size(png) > 0, "screenshot written");
    }

    /**
     * Guards the sweep section as a suite's report step renders it from the tables the operator passes (the sweep's
     * status tables): per axis a table with a row per value and a curve per metric, one point per value, the exact
     * cell values in the points' tooltips, and a dash where no run with that value was scored.
     */
    @Test
    void theSweepSectionHasATableAndACurvePerMetricForEachAxis() throws Exception {
        requireChromium();
        Path storage = dir.resolve("storage");
        StageSpec spec = new StageSpec();
        spec.stage = StageName.evaluate;
        spec.paths.storageRoot = storage.toString();
        spec.paths.outputDir = "suite";
        spec.paths.inputs.put(StageInputs.RESULTS, "suite/models");
        spec.models = new ArrayList<>();
        for (String m : List.of("base", "f0p5", "f1")) {
            spec.models.add(new ResolvedModel(m, "models/base", null));
            ResultsFile.merge(storage.resolve("suite/models/" + m + "/results.json"),
                    storage.resolve("suite/models/" + m + "/report.html"), m, Map.of("pope", Map.of("f1", 0.6)));
        }
        spec.sweepTables = List.of(
                table("dataFraction", List.of("0.25", "0.5", "1"), new Double[][]{{0.62, 0.31}, {0.66, 0.35},
                        {0.7, null}}),
                table("method", List.of("DPO", "SFT"), new Double[][]{{0.68, 0.33}, {0.64, 0.29}}));
        SuiteReport.write(new StageContext(spec, storage.resolve("spec.json"), p -> {}, new StopSignal()),
                storage.resolve("suite/models"));

        String dom = chromium(storage.resolve("suite/report.html"), "--dump-dom");
        int at = dom.indexOf("<section id=\"sweep\">");
        assertTrue(at > 0, "a sweep section");
        String sweep = dom.substring(at, dom.indexOf("</section>", at));
        assertFalse(sweep.contains("class=\"note omitted\""), "not omitted");
        assertTrue(sweep.contains("<h3 class=\"axis\" data-axis=\"dataFraction\">")
                && sweep.contains("<h3 class=\"axis\" data-axis=\"method\">"), "one part per axis");
        assertEquals(2, count(sweep, "<table class=\"sweep\">"), "a table per axis");
        assertTrue(sweep.contains("<tr><td>0.5</td><td>0.660</td><td>0.350</td></tr>"), "row of 0.5: " + sweep);
        assertTrue(sweep.contains("<tr><td>1</td><td>0.700</td><td>–</td></tr>"), "no score: a dash");
        Matcher lines = Pattern.compile("<polyline class=\"series\" data-series=\"([^\"]+)\" data-points=\"(\\d+)\"")
                .matcher(sweep);
        List<String> curves = new ArrayList<>();
        while (lines.find()) curves.add(lines.group(1) + ":" + lines.group(2));
        assertEquals(List.of("pope/f1:3", "text-only/accuracy:2", "pope/f1:2", "text-only/accuracy:2"), curves,
                "a curve per metric and axis, a point per scored value");
        assertTrue(sweep.contains("<title>pope/f1 @ 0.25: 0.62</title>"), "the numeric axis at its values");
        assertTrue(sweep.contains("<title>text-only/accuracy @ 1.0: 0.29</title>"),
                "a named axis at its positions (DPO=0, SFT=1)");
        // The base as the reference: a first row per table and a dashed line per metric it has a score for.
        assertEquals(2, count(sweep, "<tr class=\"baseline\" data-model=\"base\"><td>base <small>(baseline)</small>"
                + "</td><td>0.600</td><td>0.250</td></tr>"), "a baseline row per axis: " + sweep);
        Matcher refs = Pattern.compile("<line class=\"reference\" data-reference=\"base \\(baseline\\)\" "
                + "data-value=\"([\\d.]+)\"").matcher(sweep);
        List<String> values = new ArrayList<>();
        while (refs.find()) values.add(refs.group(1));
        assertEquals(List.of("0.6", "0.25", "0.6", "0.25"), values, "a reference line per curve, at the base's score");
        assertTrue(sweep.contains("<title>base (baseline): 0.6</title>"), "its value in the tooltip");
    }

    /**
     * Guards the report of a suite whose runs trained on different datasets: each dataset has its own dataset,
     * agreement and sample sections (anchors and titles with its name, linked from the contents), names the models
     * trained on it, and its charts carry its own data — the second dataset's rating bars, margins and samples are its
     * input's, not the first's (the report used to show only the first model's dataset).
     */
    @Test
    void eachDatasetTheRunsTrainedOnHasItsOwnSectionsWithItsData() throws Exception {
        requireChromium();
        ReportFixture fx = new ReportFixture(dir.resolve("storage"));
        ResultsFile.Table table = new ResultsFile.Table(new LinkedHashMap<>());
        table.models().put("base", Map.of("pope", Map.of("f1", 0.613)));
        table.models().put("dpo", Map.of("pope", Map.of("f1", 0.689)));
        table.models().put("sft", Map.of("pope", Map.of("f1", 0.650)));
        Path report = dir.resolve("report.html");
        Files.writeString(report, HtmlReport.render(table, ReportSources.sections(fx.contextWithTwoDatasets())));

        String dom = chromium(report, "--dump-dom");

        assertFalse(dom.contains("class=\"note omitted\""), "no section omitted when every input is there");
        for (String ds : List.of(ReportFixture.DATASET, ReportFixture.DATASET_2)) {
            for (String part : List.of("dataset", "agreement", "samples")) {
                String id = part + "-" + ds;
                assertTrue(dom.contains("<a href=\"#" + id + "\">"), "contents link to " + id);
                assertTrue(section(dom, id).contains(": " + ds + "</h2>"), id + " titled with its dataset");
            }
        }
        assertFalse(dom.contains("<section id=\"dataset\">"), "no unlabelled dataset section");
        String first = section(dom, "dataset-" + ReportFixture.DATASET);
        String second = section(dom, "dataset-" + ReportFixture.DATASET_2);
        assertTrue(first.contains("Trained on it: dpo</p>"), first);
        assertTrue(second.contains("Trained on it: sft</p>"), second);
        assertFalse(List.of(fx.ratingCounts.values().iterator().next()).equals(
                List.of(fx.ratingCounts2.values().iterator().next())), "the fixture's datasets differ");
        assertRatingBars(first, fx.ratingCounts);
        assertRatingBars(second, fx.ratingCounts2);
        assertMarginBars(first, fx.margins(ReportFixture.DATASET));
        assertMarginBars(second, fx.margins(ReportFixture.DATASET_2));
        assertEquals(25, count(section(dom, "agreement-" + ReportFixture.DATASET_2), "<td data-count="),
                "the second dataset's confusion matrix");

        String samples = section(dom, "samples-" + ReportFixture.DATASET_2);
        assertEquals(SampleBrowserSection.MAX_SAMPLES, count(samples, "<details class=\"sample\" data-prompt=\"q"),
                "the second dataset's own prompts");
        assertEquals(0, count(samples, "data-prompt=\"p"), "none of the first dataset's");
        assertEquals(SampleBrowserSection.MAX_SAMPLES, count(samples, "src=\"data:image/png;base64,"),
                "its images inline");
        assertFalse(dom.contains("src=\"http") || dom.contains("href=\"http") || dom.contains("<script"),
                "nothing fetched or run at view time");
    }

    /** One attribute's histogram per attribute of {@code counts}, its five bars holding the input's counts. */
    private static void assertRatingBars(String dom, Map<String, long[]> counts) {
        for (String attribute : ReportFixture.ATTRIBUTES) {
            int at = dom.indexOf("<figcaption>" + attribute + "</figcaption>");
            assertTrue(at > 0, attribute);
            String figure = dom.substring(dom.lastIndexOf("<figure", at), at);
            List<Long> bars = new ArrayList<>();
            Matcher m = Pattern.compile("<rect class=\"bar\" data-label=\"(\\d)\" data-count=\"(\\d+)\"")
                    .matcher(figure);
            while (m.find()) bars.add(Long.parseLong(m.group(2)));
            long[] expected = counts.get(attribute);
            assertEquals(List.of(expected[0], expected[1], expected[2], expected[3], expected[4]), bars, attribute);
        }
    }

    /** The margin histogram: a bar per whole margin holding the input's count, all pairs in the bars. */
    private static void assertMarginBars(String dom, List<Double> margins) {
        String chart = dom.substring(dom.indexOf("class=\"charts margins\""));
        chart = chart.substring(0, chart.indexOf("</figure>"));
        Matcher bars = Pattern.compile("data-label=\"(-?\\d+)\" data-count=\"(\\d+)\"").matcher(chart);
        Map<Integer, Long> byMargin = new LinkedHashMap<>();
        while (bars.find()) byMargin.put(Integer.parseInt(bars.group(1)), Long.parseLong(bars.group(2)));
        Map<Integer, Long> expected = new LinkedHashMap<>();
        for (double m : margins) expected.merge((int) m, 1L, Long::sum);
        expected.forEach((m, c) -> assertEquals(c, byMargin.get(m), "margin " + m));
        assertEquals(ReportFixture.PROMPTS, byMargin.values().stream().mapToLong(Long::longValue).sum());
    }

    /** The DOM of one section, from its opening tag to its end. */
    private static String section(String dom, String id) {
        int at = dom.indexOf("<section id=\"" + id + "\">");
        assertTrue(at >= 0, "section " + id);
        return dom.substring(at, dom.indexOf("</section>", at));
    }

    private static void requireChromium() {
        if (!Files.isExecutable(CHROMIUM)) {
            if (System.getenv("CI") != null) fail(CHROMIUM + " is missing; .ci/run installs Debian's chromium");
            Assumptions.abort(CHROMIUM + " is missing (outside CI: skipped; apt-get install -y chromium)");
        }
    }

    private static SweepTable table(String axis, List<String> values, Double[][] cells) {
        SweepTable t = new SweepTable();
        t.axis = axis;
        t.metrics = List.of("pope/f1", "text-only/accuracy");
        t.baselineModel = "base";
        t.baseline.put("pope/f1", 0.6);
        t.baseline.put("text-only/accuracy", 0.25);
        for (int i = 0; i < values.size(); i++) {
            SweepTable.Row row = new SweepTable.Row();
            row.value = values.get(i);
            for (int j = 0; j < t.metrics.size(); j++) {
                if (cells[i][j] != null) row.scores.put(t.metrics.get(j), cells[i][j]);
            }
            t.rows.add(row);
        }
        return t;
    }

    private String chromium(Path report, String... mode) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(dir, "profile")));
        cmd.addAll(List.of(mode));
        cmd.add(report.toUri().toString());
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        // A hang guard, not a timing check: generous for a loaded 2-core machine.
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish in 300 s: " + Files.readString(err));
        }
        assertEquals(0, p.exitValue(), "chromium failed: " + Files.readString(err));
        return Files.readString(out);
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }
}
