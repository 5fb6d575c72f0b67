package dev.mmalign.operator.suite;

import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.api.bench.BenchmarkResult;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.operator.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The score table: headline metrics and deltas against the baseline (pure). */
class SuiteResultsTest {

    /** Guards headline selection: the benchmark's headline metric (pope: f1), else the first one reported. */
    @Test
    void headlineMetrics() {
        var pope = Fixtures.benchmark(BenchmarkName.POPE);
        var mt = Fixtures.benchmark(BenchmarkName.MT_BENCH);
        mt.noisyImage = dev.mmalign.api.bench.NoisyImage.BLANK;
        var result = Fixtures.result(StageName.evaluate, Map.of("pope", 9000L),
                Map.of("pope/f1", 0.87, "pope/accuracy", 0.88, "mt-bench-noisy-blank/turn1", 6.1,
                        "mt-bench-noisy-blank/turn2", 5.9), Map.of());
        List<BenchmarkResult> rows = SuiteResults.rows("dpo", List.of(pope, mt), result);
        assertEquals("f1", rows.get(0).metric);
        assertEquals(9000L, rows.get(0).n);
        assertEquals("mt-bench-noisy-blank", rows.get(1).benchmark);
        assertEquals("turn1", rows.get(1).metric);
    }

    /**
     * Guards the trainer's evaluate keys: "&lt;model&gt;/&lt;benchmark&gt;/&lt;metric&gt;" with the count as metric "n"
     * (one evaluate pod may score several models); another model's keys in the same result are ignored.
     */
    @Test
    void modelPrefixedMetricsFromTheEvaluateStage() {
        var pope = Fixtures.benchmark(BenchmarkName.POPE);
        var text = Fixtures.benchmark(BenchmarkName.EXACT_MATCH);
        text.id = "text-only";
        var result = Fixtures.result(StageName.evaluate, Map.of("models", 2L),
                Map.of("dpo/pope/f1", 0.61, "dpo/pope/n", 80.0, "dpo/text-only/accuracy", 0.3,
                        "base/pope/f1", 0.5), Map.of());
        List<BenchmarkResult> rows = SuiteResults.rows("dpo", List.of(pope, text), result);
        assertEquals(2, rows.size());
        assertEquals(0.61, rows.get(0).score);
        assertEquals(80L, rows.get(0).n);
        assertEquals("text-only", rows.get(1).benchmark);
        assertEquals("accuracy", rows.get(1).metric);
        assertEquals(0.3, rows.get(1).score);
    }

    /**
     * Guards the breakdown in status: the benchmark's other metrics (per turn, per category, standard error), not the
     * headline nor n, nor another benchmark's whose id starts the same; capped so status stays small.
     */
    @Test
    void breakdownCarriesTheBenchmarksOtherMetrics() {
        var mt = Fixtures.benchmark(BenchmarkName.MT_BENCH);
        var noisy = Fixtures.benchmark(BenchmarkName.MT_BENCH);
        noisy.noisyImage = dev.mmalign.api.bench.NoisyImage.PHOTOS;
        noisy.noisyImageDir = "coco";
        var alpaca = Fixtures.benchmark(BenchmarkName.ALPACA_EVAL);
        Map<String, Double> metrics = new java.util.HashMap<>(Map.of("dpo/mt-bench/score", 6.4,
                "dpo/mt-bench/score/turn1", 6.5, "dpo/mt-bench/score/turn2", 6.3, "dpo/mt-bench/score/category/math",
                7.25, "dpo/mt-bench/n", 80.0, "dpo/mt-bench-noisy-photos/score", 5.0,
                "dpo/alpaca-eval/winRate", 50.0, "dpo/alpaca-eval/standardError", 28.9,
                "dpo/alpaca-eval/lengthControlledWinRate", 41.2, "dpo/alpaca-eval/lcStandardError", 1.3));
        for (int i = 0; i < 40; i++) metrics.put("dpo/mt-bench-noisy-photos/extra" + (100 + i), (double) i);
        var result = Fixtures.result(StageName.evaluate, Map.of(), metrics, Map.of());
        List<BenchmarkResult> rows = SuiteResults.rows("dpo", List.of(mt, noisy, alpaca), result);
        assertEquals(Map.of("score/turn1", 6.5, "score/turn2", 6.3, "score/category/math", 7.25),
                rows.get(0).breakdown);
        assertEquals(BenchmarkResult.MAX_BREAKDOWN, rows.get(1).breakdown.size());
        assertEquals(Map.of("standardError", 28.9, "lengthControlledWinRate", 41.2, "lcStandardError", 1.3),
                rows.get(2).breakdown, "AlpacaEval's length-controlled win rate and its standard error reach status");
        assertEquals("winRate", rows.get(2).metric);
    }

    /**
     * Guards the breakdown of the headline: "&lt;id&gt;/&lt;headline&gt;/&lt;part&gt;" metrics go with the row (with the
     * benchmark's other metrics), none of another benchmark's; at the cap the headline's parts are kept first.
     */
    @Test
    void breakdownOfTheHeadlineMetric() {
        var vet = Fixtures.benchmark(BenchmarkName.MM_VET);
        var pope = Fixtures.benchmark(BenchmarkName.POPE);
        var result = Fixtures.result(StageName.evaluate, Map.of(),
                Map.of("dpo/mm-vet/score", 37.5, "dpo/mm-vet/score/ocr", 16.7, "dpo/mm-vet/score/rec", 50.0,
                        "dpo/mm-vet/unparsable", 1.0, "dpo/pope/f1", 0.8), Map.of());
        List<BenchmarkResult> rows = SuiteResults.rows("dpo", List.of(vet, pope), result);
        assertEquals(Map.of("score/ocr", 16.7, "score/rec", 50.0, "unparsable", 1.0), rows.get(0).breakdown);
        assertNull(rows.get(1).breakdown, "POPE has no breakdown");

        Map<String, Double> many = new java.util.HashMap<>();
        many.put("dpo/mm-vet/score", 37.5);
        for (int i = 0; i < 30; i++) many.put("dpo/mm-vet/a" + (100 + i), 1.0);
        for (int i = 0; i < 30; i++) many.put("dpo/mm-vet/score/z" + (100 + i), 2.0);
        var capped = SuiteResults.rows("dpo", List.of(vet),
                Fixtures.result(StageName.evaluate, Map.of(), many, Map.of())).get(0).breakdown;
        assertEquals(BenchmarkResult.MAX_BREAKDOWN, capped.size());
        assertTrue(capped.keySet().stream().allMatch(k -> k.startsWith("score/")), "parts before other metrics");
    }

    /** Guards deltas: score minus the baseline's on the same benchmark and metric; none without a baseline row. */
    @Test
    void deltas() {
        List<BenchmarkResult> rows = new ArrayList<>(List.of(
                new BenchmarkResult("base", "pope", "f1", 0.859, 100L, null),
                new BenchmarkResult("dpo", "pope", "f1", 0.870, 100L, null),
                new BenchmarkResult("dpo", "mmbench", "accuracy", 0.668, 100L, null)));
        SuiteResults.computeDeltas(rows, "base");
        assertEquals(0.0, rows.get(0).delta);
        assertEquals(0.011, rows.get(1).delta, 1e-9);
        assertNull(rows.get(2).delta);
        var replaced = SuiteResults.replaceModel(rows, "dpo",
                List.of(new BenchmarkResult("dpo", "pope", "f1", 0.9, 1L, null)), List.of("base", "dpo"));
        assertEquals(2, replaced.size());
    }
}
