package dev.mmalign.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmalign.api.bench.BenchmarkResult;
import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.bench.BenchmarkSuiteStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Local mode prints the in-process quickstart's claim line for the quickstart's suite, and none for other suites. */
class LocalRunClaimTest {

    @Test
    void quickstartSuitePrintsTheClaimLine() {
        List<BenchmarkResult> rows = new ArrayList<>();
        for (String model : List.of("lm", "base", "dpo")) {
            BenchmarkResult text = new BenchmarkResult(model, "text-only", "accuracy",
                    model.equals("base") ? 0.25 : 0.5, 60L, null);
            text.breakdown = Map.of("containsAccuracy", 0.9);
            BenchmarkResult pope = new BenchmarkResult(model, "pope", "f1", 0.6, 100L, null);
            pope.breakdown = Map.of("accuracy", 0.55, "yesRatio", 0.6);
            rows.add(text);
            rows.add(pope);
        }
        assertEquals("claim: text_lm=0.500 text_base=0.250 text_dpo=0.500 pope_acc_base=0.550 pope_acc_dpo=0.550 "
                + "pope_yes_base=0.600 pope_yes_dpo=0.600", LocalRun.claimLine(suite(rows)).orElseThrow());
    }

    @Test
    void aSuiteWithoutTheLanguageModelPrintsNoClaim() {
        BenchmarkResult pope = new BenchmarkResult("base", "pope", "f1", 0.6, 100L, null);
        assertTrue(LocalRun.claimLine(suite(List.of(pope))).isEmpty());
        assertTrue(LocalRun.claimLine(new BenchmarkSuite()).isEmpty());
    }

    private static BenchmarkSuite suite(List<BenchmarkResult> rows) {
        BenchmarkSuite suite = new BenchmarkSuite();
        BenchmarkSuiteStatus status = new BenchmarkSuiteStatus();
        status.results = rows;
        suite.setStatus(status);
        return suite;
    }
}
