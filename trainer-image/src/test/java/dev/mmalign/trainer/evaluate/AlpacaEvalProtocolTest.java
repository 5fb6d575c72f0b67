package dev.mmalign.trainer.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.api.bench.BenchmarkSpec;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.annotate.FakeJudgeServer;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.judge.MalformedAnswerException;
import dev.mmalign.trainer.net.Sleeper;
import dev.mmalign.trainer.stage.StageFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.mmalign.trainer.evaluate.TextBenchmarkFixtures.bench;
import static dev.mmalign.trainer.evaluate.TextBenchmarkFixtures.suite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AlpacaEval scored as tatsu-lab/alpaca_eval does with the alpaca_eval_gpt4 annotator, on the published annotator
 * files and a slice of the instructions (test resources benchmarks/alpaca-eval), the paper's model outputs as fixed
 * answers and fixed judge replies in the annotator's format.
 */
class AlpacaEvalProtocolTest {

    @TempDir
    Path root;
    StageFixture fx;

    @BeforeEach
    void setUp() {
        fx = new StageFixture(root);
        TextBenchmarkFixtures.copyResources("alpaca-eval", root.resolve("alpaca-eval"));
    }

    @Test
    void rankingParserReadsTheAnnotatorsFormatAsTheOfficialOneDoes() throws Exception {
        // completion_parsers.py ranking_parser docstring examples.
        assertEquals(1.0, AlpacaEval.preference("[{'model': 'model_1', 'rank': 1}, {'model': 'model_2', 'rank': 2}]"));
        assertEquals(2.0, AlpacaEval.preference("[{'model': 'model_1', 'rank': 2}, {'model': 'model_2', 'rank': 1}]"));
        assertTrue(Double.isNaN(AlpacaEval.preference(
                "[{'model': 'model_1', 'rank': 3}, {'model': 'model_2', 'rank': 1}]")));
        // The layout the template asks for, with newlines, double quotes and a trailing comma: a Python literal.
        assertEquals(2.0, AlpacaEval.preference("[\n    {\"model\": \"model_2\", \"rank\": 1},\n"
                + "    {'model': 'model_1', 'rank': 2},\n]\n"));
        assertEquals(1.0, AlpacaEval.preference("({'model': 'model_1', 'rank': 1.0},)"), "1.0 == 1 in Python");
        // ast.literal_eval rejects text around the literal, and a missing key raises: NaN.
        assertTrue(Double.isNaN(AlpacaEval.preference("Ranking: [{'model': 'model_1', 'rank': 1}]")));
        assertTrue(Double.isNaN(AlpacaEval.preference("[{'model': 'model_1'}, {'model': 'model_2', 'rank': 1}]")));
        assertTrue(Double.isNaN(AlpacaEval.preference("[{'name': 'model_2', 'rank': 1}]")));
        assertTrue(Double.isNaN(AlpacaEval.preference("[[A]]")));
        assertThrows(MalformedAnswerException.class, () -> AlpacaEval.preference(""), "the official parser raises");
    }

    @Test
    void winRateTiesAndStandardErrorEqualAlpacaEvalsOnTheSameAnswersAndReplies() throws Exception {
        Path data = root.resolve("alpaca-eval/alpaca_eval.json");
        JsonNode instructions = Json.MAPPER.readTree(Files.readString(data));
        JsonNode paperOutputs = Json.MAPPER.readTree(Files.readString(root.resolve(
                "alpaca-eval/model_outputs.json")));
        Map<String, String> answers = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            // Instruction 2 is answered with the reference itself: a tie, never sent to the judge.
            answers.put(instructions.get(i).get("instruction").asText(),
                    i == 2 ? instructions.get(i).get("output").asText() : paperOutputs.get(i).asText());
        }
        List<Boolean> switched = new ArrayList<>();
        for (JsonNode q : instructions) switched.add(AlpacaEval.switched(q.get("instruction").asText()));
        assertEquals(List.of(true, true, true, false), switched, "which outputs are shown in swapped order");
        try (FakeJudgeServer judge = new FakeJudgeServer()) {
            judge.then(FakeJudgeServer.Fault.answer(
                    "[{'model': 'model_2', 'rank': 1}, {'model': 'model_1', 'rank': 2}]"), 1);
            judge.then(FakeJudgeServer.Fault.answer(
                    "[\n    {'model': 'model_1', 'rank': 1},\n    {'model': 'model_2', 'rank': 2}\n]"), 1);
            judge.then(FakeJudgeServer.Fault.answer(
                    "Here is the ranking: [{'model': 'model_2', 'rank': 1}, {'model': 'model_1', 'rank': 2}]"), 1);
            BenchmarkSpec alpaca = bench(BenchmarkName.ALPACA_EVAL, "alpaca-eval/alpaca_eval.json");
            TextBenchmarkFixtures.RecordingModel model = new TextBenchmarkFixtures.RecordingModel(answers::get);
            StageSpec spec = suite(fx, judge, alpaca);
            assertEquals(ExitCodes.SUCCESS, fx.run(spec, new EvaluateStage((d, a) -> model, Map.of(),
                    new JudgeTuning(1, 2, Sleeper.REAL, 30_000, null))));
            assertEquals(3, judge.bodies.size(), "identical outputs are not sent to the judge");

            for (JsonNode b : judge.bodies) {
                // alpaca_eval_gpt4/configs.yaml completions_kwargs: max_tokens 100, temperature 0.
                assertEquals(0.0, b.path("temperature").asDouble(-1));
                assertEquals(100, b.path("max_tokens").asInt());
            }
            JsonNode body = judge.bodies.get(0);
            assertEquals("You are a helpful assistant, that ranks models by the quality of their answers.",
                    body.at("/messages/0/content").asText(), "the template's system message (prompt_to_chatml)");
            String user = body.at("/messages/1/content/0/text").asText();
            assertTrue(user.startsWith("I want you to create a leaderboard of different of large-language models."));
            assertTrue(user.endsWith("Please provide the ranking that the majority of humans would give."));
            String first = switched.get(0) ? paperOutputs.get(0).asText() : instructions.get(0).get("output").asText();
            String second = switched.get(0) ? instructions.get(0).get("output").asText() : paperOutputs.get(0).asText();
            assertTrue(user.contains("\"instruction\": \"\"\"" + instructions.get(0).get("instruction").asText()
                    + "\"\"\""));
            assertTrue(user.indexOf("\"answer\": \"\"\"" + first + "\"\"\"")
                    < user.indexOf("\"answer\": \"\"\"" + second + "\"\"\""), user);
            assertFalse(user.contains("{output_1}") || user.contains("<|im_start|>"));

            // Official: replies read 2, 1 and NaN in the shown order; instructions 0 and 1 were shown swapped, so
            // (pairwise_evaluator.py, 3 - p) their preferences are 1 (reference) and 2 (model); the tie is 1.5.
            // metrics/winrate.py get_winrate -> helpers.py describe_head2head drops NaN: p - 1 = [0, 1, 0.5] ->
            // win_rate 50, standard_error = 100 * sem([0, 1, 0.5]) = 100 * 0.5 / sqrt(3), n_wins 1, n_wins_base 1,
            // n_draws 1, n_total 3.
            JsonNode s = Json.MAPPER.readTree(Files.readString(root.resolve("suite/results.json")))
                    .at("/models/base/alpaca-eval");
            assertEquals(50.0, s.path("winRate").asDouble(), 1e-12);
            assertEquals(100 * 0.5 / Math.sqrt(3), s.path("standardError").asDouble(), 1e-12);
            assertEquals(1.0, s.path("nWins").asDouble());
            assertEquals(1.0, s.path("nWinsBase").asDouble());
            assertEquals(1.0, s.path("nDraws").asDouble());
            assertEquals(3.0, s.path("n").asDouble());
            assertEquals(1.0, s.path("unscored").asDouble(), "the unparsable reply is counted, not retried");
        }
    }

    @Test
    void theOutputOrderIsDrawnAsAlpacaEvalDrawsIt() {
        // CPython 3.11: random.Random(s).random(), twice, for a few seeds.
        PythonRandom r = new PythonRandom("abc");
        assertEquals(0.7720246314157545, r.random());
        assertEquals(0.5581691373899791, r.random());
        r = new PythonRandom("\u00e9\u65e5\u672c");
        assertEquals(0.6842293005314027, r.random());
        assertEquals(0.16275845387619925, r.random());
        assertEquals(0.9602256525641875, new PythonRandom("").random());
        // random.Random("is_switched_outputs" + instruction + "0").choices([False, True], k=1)[0] for the fixture's
        // instructions; their first random() is 0.757, 0.894, 0.968 and 0.068.
        Path data = TextBenchmarkFixtures.copyResources("alpaca-eval", root.resolve("order"))
                .resolve("alpaca_eval.json");
        List<Boolean> switched = AlpacaEval.read(data).stream().map(i -> AlpacaEval.switched(i.turns().get(0))).toList();
        assertEquals(List.of(true, true, true, false), switched);
    }

    @Test
    void winRateOfKnownPreferences() {
        // describe_head2head on preferences [2, 1, 1.5, 2, NaN]: p - 1 = [1, 0, 0.5, 1], mean 0.625, sample sd
        // sqrt(0.6875 / 3), standard error sd / sqrt(4).
        List<SampleOutput> outputs = new ArrayList<>();
        Double[] scores = {1.0, 0.0, 0.5, 1.0, null};
        for (int i = 0; i < scores.length; i++) outputs.add(SampleOutput.of("" + i, List.of("a")).score(scores[i]).build());
        Map<String, Double> m = AlpacaEval.metrics(outputs);
        assertEquals(62.5, m.get("winRate"), 1e-12);
        assertEquals(23.935677693908453, m.get("standardError"), 1e-12);
        assertEquals(4.0, m.get("n"));
        assertEquals(1.0, m.get("unscored"));
    }

    @Test
    void aMissingAnnotatorTemplateIsAnErrorNamingIt() throws Exception {
        Files.delete(root.resolve("alpaca-eval/alpaca_eval_gpt4/alpaca_eval.txt"));
        try (FakeJudgeServer judge = new FakeJudgeServer()) {
            StageSpec spec = suite(fx, judge, bench(BenchmarkName.ALPACA_EVAL, "alpaca-eval/alpaca_eval.json"));
            assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec, new EvaluateStage(
                    (d, a) -> new TextBenchmarkFixtures.RecordingModel(q -> "x"), Map.of(), JudgeTuning.standard())));
            String message = fx.result(spec).message;
            assertTrue(message.contains("alpaca_eval_gpt4/alpaca_eval.txt") && message.contains("not found"), message);
        }
    }
}
