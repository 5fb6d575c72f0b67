package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.bench.BenchmarkName;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Summary metrics of a benchmark from its per-sample outputs, and which metric heads the comparison table. */
public final class BenchmarkMetrics {

    /** Headline metrics in order of preference: the first one a benchmark has is its column in the report. */
    public static final List<String> HEADLINES = List.of("f1", "relativeScore", "winRate", "score", "accuracy");

    private BenchmarkMetrics() {}

    public static Map<String, Double> summarize(BenchmarkName name, List<SampleOutput> outputs,
                                                Map<String, BenchmarkItem> items) {
        return summarize(name, outputs, items, null);
    }

    /**
     * @param dataFile the benchmark's file, beside which AlpacaEval's optional {@code df_gamed.csv} lies (the
     *                 length-controlled win rate is computed when it does); null when unknown
     */
    public static Map<String, Double> summarize(BenchmarkName name, List<SampleOutput> outputs,
                                                Map<String, BenchmarkItem> items, java.nio.file.Path dataFile) {
        Map<String, Double> m = new LinkedHashMap<>();
        switch (name) {
            case POPE -> {
                List<String[]> pairs = new ArrayList<>();
                for (SampleOutput o : outputs) pairs.add(new String[] {items.get(o.id()).answer(), o.prediction()});
                m.putAll(PopeScore.metrics(pairs));
            }
            case MMBENCH -> m.putAll(CircularChoice.metrics(outputs, items));
            case EXACT_MATCH -> {
                m.put("accuracy", mean(outputs.stream().map(o -> o.correct() ? 1.0 : 0.0).toList()));
                m.put("containsAccuracy", mean(outputs.stream().map(o -> o.lenientCorrect() ? 1.0 : 0.0).toList()));
                m.put("n", (double) outputs.size());
            }
            case MT_BENCH -> m.putAll(MtBench.metrics(outputs, items));
            case LLAVA_BENCH -> m.putAll(LlavaBenchReview.metrics(outputs, items));
            case MM_VET -> m.putAll(MmVetScore.metrics(outputs, items));
            case ALPACA_EVAL -> m.putAll(AlpacaEval.metrics(outputs, items,
                    dataFile == null ? null : LengthControlledWinRate.gamedBeside(dataFile)));
        }
        // Answers cut by the model's context (BoundedAnswer's rule), for every benchmark: MT-Bench and AlpacaEval
        // count them per turn already; the single-turn benchmarks count one turn per question.
        m.putIfAbsent("truncatedTurns", sum(outputs, SampleOutput::truncatedTurns));
        m.putIfAbsent("overlongTurns", sum(outputs, SampleOutput::overlongTurns));
        return m;
    }

    public static String headline(Map<String, Double> metrics) {
        for (String h : HEADLINES) if (metrics.containsKey(h)) return h;
        return metrics.keySet().stream().findFirst().orElse(null);
    }

    private static double sum(List<SampleOutput> outputs, java.util.function.Function<SampleOutput, Integer> count) {
        return outputs.stream().map(count).filter(Objects::nonNull).mapToDouble(Integer::doubleValue).sum();
    }

    private static double mean(List<Double> values) {
        return values.stream().filter(Objects::nonNull).mapToDouble(Double::doubleValue).average().orElse(0);
    }
}
