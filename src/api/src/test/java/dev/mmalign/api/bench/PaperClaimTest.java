package dev.mmalign.api.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The claim line reads the same figures from a suite's status rows as the in-process quickstart reads its table. */
class PaperClaimTest {

    @Test
    void figuresFromStatusRowsTakeHeadlinesAndBreakdowns() {
        BenchmarkResult lmText = row("lm", "text-only", "accuracy", 0.6, Map.of("containsAccuracy", 0.7));
        BenchmarkResult baseText = row("base", "text-only", "accuracy", 0.2, Map.of("containsAccuracy", 0.3));
        BenchmarkResult dpoText = row("dpo", "text-only", "accuracy", 0.35, Map.of("containsAccuracy", 0.4));
        BenchmarkResult basePope = row("base", "pope", "f1", 0.6, Map.of("accuracy", 0.55, "yesRatio", 0.7));
        BenchmarkResult dpoPope = row("dpo", "pope", "f1", 0.65, Map.of("accuracy", 0.6, "yesRatio", 0.65));
        Map<String, Double> figures = PaperClaim.figures(PaperClaim.fromResults(
                List.of(lmText, baseText, dpoText, basePope, dpoPope)));
        assertEquals("claim: text_lm=0.600 text_base=0.200 text_dpo=0.350 pope_acc_base=0.550 pope_acc_dpo=0.600 "
                + "pope_yes_base=0.700 pope_yes_dpo=0.650", PaperClaim.line(figures));
    }

    @Test
    void aMissingFigureIsPrintedAsADash() {
        Map<String, Double> figures = PaperClaim.figures((model, benchmark, metric) ->
                model.equals("lm") ? null : 0.5);
        assertNull(figures.get("text_lm"));
        assertEquals("claim: text_lm=- text_base=0.500 text_dpo=0.500 pope_acc_base=0.500 pope_acc_dpo=0.500 "
                + "pope_yes_base=0.500 pope_yes_dpo=0.500", PaperClaim.line(figures));
    }

    private static BenchmarkResult row(String model, String benchmark, String metric, double score,
                                       Map<String, Double> breakdown) {
        BenchmarkResult r = new BenchmarkResult(model, benchmark, metric, score, 10L, null);
        r.breakdown = breakdown;
        return r;
    }
}
