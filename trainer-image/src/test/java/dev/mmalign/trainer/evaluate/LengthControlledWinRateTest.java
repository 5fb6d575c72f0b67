package dev.mmalign.trainer.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.annotate.FakeJudgeServer;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.net.Sleeper;
import dev.mmalign.trainer.stage.StageFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.mmalign.trainer.evaluate.TextBenchmarkFixtures.bench;
import static dev.mmalign.trainer.evaluate.TextBenchmarkFixtures.suite;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AlpacaEval's length-controlled win rate against the values alpaca_eval's own code (metrics/glm_winrate.py
 * get_length_controlled_winrate, and get_winrate) gives on the same annotations: the paper's real AlpacaEval
 * annotations (a slice of findalexli/mllm-dpo's annotation_alpaca_eval_gpt4.json) and a synthetic df_gamed.csv in the
 * published layout, expected values written by make_expected.py beside them (test resources
 * benchmarks/alpaca-eval/length-controlled).
 */
class LengthControlledWinRateTest {

    private static final double REL = 1e-6;

    @TempDir
    Path root;

    @Test
    void lengthControlledWinRateAndItsStandardErrorEqualTheOfficialCodes() throws Exception {
        Path dir = TextBenchmarkFixtures.copyResources("alpaca-eval/length-controlled", root.resolve("lc"));
        JsonNode expected = Json.MAPPER.readTree(Files.readString(dir.resolve("expected.json")));
        JsonNode annotations = Json.MAPPER.readTree(Files.readString(dir.resolve("annotations.json")));
        List<SampleOutput> outputs = new ArrayList<>();
        Map<String, BenchmarkItem> items = new LinkedHashMap<>();
        for (int i = 0; i < annotations.size(); i++) {
            JsonNode a = annotations.get(i);
            String id = Integer.toString(i);
            items.put(id, new BenchmarkItem(id, null, List.of(a.get("instruction").asText()),
                    a.get("output_1").asText(), List.of(), null, null, List.of()));
            // The annotation file's preference as our samples hold it: p - 1, a draw (0) as 0.5, None as unscored.
            Double score = a.get("preference").isNull() ? null
                    : a.get("preference").asDouble() == 0 ? 0.5 : a.get("preference").asDouble() - 1;
            outputs.add(SampleOutput.of(id, List.of(a.get("output_2").asText())).score(score).build());
        }
        LengthControlledWinRate.Gamed gamed = LengthControlledWinRate.readGamed(dir.resolve("df_gamed.csv"));
        assertEquals(123, gamed.rows().stream().filter(r -> !Double.isNaN(r[0])).count(),
                "one gamed row has no preference");

        Map<String, Double> m = AlpacaEval.metrics(outputs, items, gamed);
        assertRel(expected.get("length_controlled_winrate").asDouble(), m.get("lengthControlledWinRate"));
        assertRel(expected.get("lc_standard_error").asDouble(), m.get("lcStandardError"));
        // get_winrate on the same annotations: ties, standard error and counts.
        assertRel(expected.get("win_rate").asDouble(), m.get("winRate"));
        assertRel(expected.get("standard_error").asDouble(), m.get("standardError"));
        assertEquals(expected.get("n_wins").asDouble(), m.get("nWins"));
        assertEquals(expected.get("n_wins_base").asDouble(), m.get("nWinsBase"));
        assertEquals(expected.get("n_draws").asDouble(), m.get("nDraws"));
        assertEquals(expected.get("n_total").asDouble(), m.get("n"));

        List<LengthControlledWinRate.Annotation> rows = new ArrayList<>();
        for (SampleOutput o : outputs) {
            rows.add(new LengthControlledWinRate.Annotation(o.score(), items.get(o.id()).answer(), o.answers().get(0)));
        }
        LengthControlledWinRate.Result r = LengthControlledWinRate.compute(rows, gamed);
        assertRel(expected.get("C").asDouble(), r.c());
    }

    @Test
    void lengthsAreCountedInCodePointsAsPythonCountsThem() {
        assertEquals(3, LengthControlledWinRate.codePoints("a\uD83D\uDE00b"), "an emoji is one character in Python");
    }

    @Test
    void groupKFoldDealsGroupsInDescendingOrderToTheLightestFold() {
        // GroupKFold over 7 equal groups, taken 6, 5, ..., 0: 6->0, 5->1, 4->2, 3->3, 2->4, 1->0, 0->1.
        assertArrayEquals(new int[] {1, 0, 4, 3, 2, 1, 0}, LengthControlledWinRate.groupKFold(7, 5));
    }

    @Test
    void withoutLengthDifferencesOrEnoughRowsNothingIsFitted() throws Exception {
        Path dir = TextBenchmarkFixtures.copyResources("alpaca-eval/length-controlled", root.resolve("lc"));
        LengthControlledWinRate.Gamed gamed = LengthControlledWinRate.readGamed(dir.resolve("df_gamed.csv"));
        List<LengthControlledWinRate.Annotation> same = List.of(
                new LengthControlledWinRate.Annotation(1.0, "ab", "cd"),
                new LengthControlledWinRate.Annotation(0.0, "ef", "gh"));
        assertNull(LengthControlledWinRate.compute(same, gamed), "the length difference has no spread");
        assertNull(LengthControlledWinRate.compute(same.subList(0, 1), gamed));
    }

    @Test
    void aBadGamedFileIsAnErrorNamingItsLine() throws Exception {
        Path file = root.resolve("df_gamed.csv");
        Files.writeString(file, "model,index,preference,std_delta_len,instruction_difficulty,not_gamed_baseline\n"
                + "m,0,0.5,1.0,0.2,False\n"
                + "m,1,0.5,lots,0.2,False\n");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> LengthControlledWinRate.readGamed(file));
        assertTrue(e.getMessage().contains("df_gamed.csv") && e.getMessage().contains(":3")
                && e.getMessage().contains("std_delta_len"), e.getMessage());
        Files.writeString(file, "model,index,preference,std_delta_len\nm,0,0.5,1.0\n");
        e = assertThrows(InvalidInputException.class, () -> LengthControlledWinRate.readGamed(file));
        assertTrue(e.getMessage().contains("instruction_difficulty"), e.getMessage());
    }

    @Test
    void theEvaluateStageReportsTheLengthControlledWinRateWhenTheGamedFileIsBesideTheData() throws Exception {
        StageFixture fx = new StageFixture(root);
        TextBenchmarkFixtures.copyResources("alpaca-eval", root.resolve("alpaca-eval"));
        Path data = root.resolve("alpaca-eval/alpaca_eval.json");
        Files.copy(root.resolve("alpaca-eval/length-controlled/df_gamed.csv"), data.resolveSibling("df_gamed.csv"));
        JsonNode instructions = Json.MAPPER.readTree(Files.readString(data));
        JsonNode paperOutputs = Json.MAPPER.readTree(Files.readString(root.resolve("alpaca-eval/model_outputs.json")));
        Map<String, String> answers = new HashMap<>();
        for (int i = 0; i < 4; i++) answers.put(instructions.get(i).get("instruction").asText(), paperOutputs.get(i).asText());
        try (FakeJudgeServer judge = new FakeJudgeServer()) {
            judge.then(FakeJudgeServer.Fault.answer("[{'model': 'model_2', 'rank': 1}, {'model': 'model_1', 'rank': 2}]"), 2);
            judge.then(FakeJudgeServer.Fault.answer("[{'model': 'model_1', 'rank': 1}, {'model': 'model_2', 'rank': 2}]"), 2);
            StageSpec spec = suite(fx, judge, bench(BenchmarkName.ALPACA_EVAL, "alpaca-eval/alpaca_eval.json"));
            TextBenchmarkFixtures.RecordingModel model = new TextBenchmarkFixtures.RecordingModel(answers::get);
            assertEquals(ExitCodes.SUCCESS, fx.run(spec, new EvaluateStage((d, a) -> model, Map.of(),
                    new JudgeTuning(1, 2, Sleeper.REAL, 30_000, null))));
            JsonNode s = Json.MAPPER.readTree(Files.readString(root.resolve("suite/results.json")))
                    .at("/models/base/alpaca-eval");
            // The same figure computed directly from the samples the stage wrote (their scores, in item order).
            List<LengthControlledWinRate.Annotation> rows = new ArrayList<>();
            for (JsonNode line : Json.MAPPER.readerFor(JsonNode.class).<JsonNode>readValues(
                    Files.readString(root.resolve("suite/samples/base/alpaca-eval.jsonl"))).readAll()) {
                int i = Integer.parseInt(line.get("id").asText());
                rows.add(new LengthControlledWinRate.Annotation(line.get("score").asDouble(),
                        instructions.get(i).get("output").asText(), paperOutputs.get(i).asText()));
            }
            LengthControlledWinRate.Result direct = LengthControlledWinRate.compute(rows,
                    LengthControlledWinRate.readGamed(data.resolveSibling("df_gamed.csv")));
            assertEquals(direct.winRate(), s.path("lengthControlledWinRate").asDouble(-1), 1e-9);
            assertEquals(direct.standardError(), s.path("lcStandardError").asDouble(-1), 1e-9);
            String report = Files.readString(root.resolve("suite/report.html"));
            assertTrue(report.contains("lengthControlledWinRate") && report.contains("lcStandardError"));
        }
        Files.delete(data.resolveSibling("df_gamed.csv"));
        assertFalse(AlpacaEval.metrics(List.of(), Map.of(), null).containsKey("lengthControlledWinRate"));
    }

    private static void assertRel(double expected, Double actual) {
        assertTrue(actual != null && Math.abs(actual - expected) <= REL * Math.abs(expected),
                "expected " + expected + ", got " + actual);
    }
}
