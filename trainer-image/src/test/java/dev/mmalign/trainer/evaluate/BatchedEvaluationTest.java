package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.api.bench.BenchmarkSpec;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.stage.ChatMessage;
import dev.mmalign.trainer.stage.GenerationSettings;
import dev.mmalign.trainer.stage.PolicyModel;
import dev.mmalign.trainer.stage.StageFixture;
import dev.mmalign.trainer.synthetic.SyntheticWorld;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards the batched answering of the non-judged single-turn benchmarks: the records, their order and their scores
 * are those of the one-at-a-time path; the context rule holds per question inside a batch; a rerun after a stop or a
 * hard kill answers only what is missing.
 */
class BatchedEvaluationTest {

    private static final int CONTEXT = 100;
    private static final int MAX_NEW_TOKENS = 8;

    @TempDir
    Path root;
    StageFixture fx;

    /**
     * Answers and prompt lengths are functions of the prompt alone, so a batched and a one-at-a-time run must agree;
     * records every batch it is given. A third of the prompts fit with room to spare, a third leave 3 positions (cut
     * budget), a third fill the context (ERROR, never generated).
     */
    static final class PromptRuleModel implements PolicyModel {
        final List<List<Request>> batches = new ArrayList<>();
        final List<String> singlePrompts = new ArrayList<>();
        /** Every prompt whose length was asked: each question a run considers, fitting or not. */
        final List<String> measured = new ArrayList<>();
        Runnable afterBatch = () -> {};

        static int kind(String prompt) {
            return Math.floorMod(prompt.hashCode(), 3);
        }

        static String answer(String prompt) {
            List<String> answers = List.of("Yes, there is.", "No.", "A", "B. the second", "C", "7", "no");
            return answers.get(Math.floorMod(prompt.hashCode() / 3, answers.size()));
        }

        private static String prompt(List<ChatMessage> conversation) {
            return conversation.get(conversation.size() - 1).content();
        }

        @Override
        public List<String> generate(Path image, List<ChatMessage> conversation, GenerationSettings settings) {
            singlePrompts.add(prompt(conversation));
            return List.of(answer(prompt(conversation)));
        }

        @Override
        public List<List<String>> generateAll(List<Request> requests) {
            batches.add(List.copyOf(requests));
            List<List<String>> out = new ArrayList<>();
            for (Request r : requests) out.add(List.of(answer(prompt(r.conversation()))));
            afterBatch.run();
            return out;
        }

        @Override
        public int contextLength() {
            return CONTEXT;
        }

        @Override
        public int promptPositions(Path image, List<ChatMessage> conversation) {
            measured.add(prompt(conversation));
            return switch (kind(prompt(conversation))) {
                case 0 -> 10;
                case 1 -> CONTEXT - 3;
                default -> CONTEXT;
            };
        }

        @Override
        public double logProb(Path image, String prompt, String response, boolean average) {
            return 0;
        }

        int batchedQuestions() {
            return batches.stream().mapToInt(List::size).sum();
        }
    }

    @BeforeEach
    void setUp() {
        fx = new StageFixture(root);
        SyntheticWorld.write(root.resolve("world"), new SyntheticWorld.Config(0, 6, 0, 8, 32, 3, 3));
    }

    private static BenchmarkSpec bench(BenchmarkName name, String path, String images, int batchSize) {
        BenchmarkSpec b = new BenchmarkSpec();
        b.name = name;
        b.dataPath = path;
        b.imageRoot = images;
        b.maxNewTokens = MAX_NEW_TOKENS;
        b.batchSize = batchSize;
        return b;
    }

    private StageSpec spec(int batchSize) {
        StageSpec spec = fx.spec(StageName.evaluate, "suite");
        spec.models = new ArrayList<>(List.of(new ResolvedModel("base", "models/base", null)));
        spec.benchmarks = new ArrayList<>(List.of(
                bench(BenchmarkName.POPE, "world/pope-heldout.jsonl", "world/images", batchSize),
                bench(BenchmarkName.MMBENCH, "world/mmbench-heldout.tsv", "world/images", batchSize),
                bench(BenchmarkName.EXACT_MATCH, "world/text-heldout.jsonl", null, batchSize)));
        return spec;
    }

    private int run(StageFixture fixture, StageSpec spec, PolicyModel model) throws Exception {
        return fixture.run(spec, new EvaluateStage((dir, adapter) -> model, Map.of(), JudgeTuning.standard()));
    }

    /** What the one-at-a-time path ({@link BenchmarkRun#evaluate}) writes for every question of {@code b}, in order. */
    private List<String> oneAtATime(BenchmarkSpec b) throws Exception {
        PromptRuleModel model = new PromptRuleModel();
        BenchmarkRun run = new BenchmarkRun(b.name, model, b.maxNewTokens, null, root.resolve(b.dataPath), null);
        List<String> lines = new ArrayList<>();
        for (BenchmarkItem item : BenchmarkReaders.read(b.name, root.resolve(b.dataPath),
                b.imageRoot == null ? null : root.resolve(b.imageRoot), root.resolve("scratch"))) {
            lines.add(Json.line(run.evaluate(item)));
        }
        assertTrue(model.batches.isEmpty());
        return lines;
    }

    private List<String> written(BenchmarkSpec b) throws Exception {
        return Files.readAllLines(root.resolve("suite/samples/base/" + b.effectiveId() + ".jsonl")).stream()
                .filter(l -> !l.isBlank()).toList();
    }

    @Test
    void batchedRunWritesTheOneAtATimeRecordsInTheSameOrder() throws Exception {
        StageSpec spec = spec(5);
        PromptRuleModel model = new PromptRuleModel();
        assertEquals(ExitCodes.SUCCESS, run(fx, spec, model));
        assertTrue(model.singlePrompts.isEmpty(), "no question is answered alone");
        assertTrue(model.batches.stream().allMatch(batch -> batch.size() <= 5), "at most batchSize per call");
        assertTrue(model.batches.stream().anyMatch(batch -> batch.size() > 1), "questions are decoded together");
        int fitting = 0;
        boolean someCorrect = false;
        for (BenchmarkSpec b : spec.benchmarks) {
            List<String> expected = oneAtATime(b);
            assertEquals(expected, written(b), b.effectiveId());
            fitting += (int) expected.stream().filter(l -> !l.contains("\"overlongTurns\":1")).count();
            someCorrect |= expected.stream().anyMatch(l -> l.contains("\"correct\":true"));
            assertTrue(expected.stream().anyMatch(l -> l.contains("\"overlongTurns\":1")), b.effectiveId());
            assertTrue(expected.stream().anyMatch(l -> l.contains("\"truncatedTurns\":1")), b.effectiveId());
        }
        assertTrue(someCorrect, "the scores compared are not all false");
        assertEquals(fitting, model.batchedQuestions(), "only the prompts that fit are generated");
    }

    @Test
    void everyQuestionInABatchKeepsItsOwnBudget() {
        PromptRuleModel model = new PromptRuleModel();
        List<BoundedAnswer.Question> questions = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            questions.add(new BoundedAnswer.Question(null, List.of(ChatMessage.user("question " + i))));
        }
        List<BoundedAnswer> answers = BoundedAnswer.generateAll(model, questions, MAX_NEW_TOKENS);
        assertEquals(30, answers.size());
        for (int i = 0; i < 30; i++) {
            String prompt = "question " + i;
            BoundedAnswer a = answers.get(i);
            switch (PromptRuleModel.kind(prompt)) {
                case 0 -> assertEquals(new BoundedAnswer(PromptRuleModel.answer(prompt), false, false), a, prompt);
                case 1 -> assertEquals(new BoundedAnswer(PromptRuleModel.answer(prompt), true, false), a, prompt);
                default -> assertEquals(new BoundedAnswer(BoundedAnswer.ERROR_ANSWER, false, true), a, prompt);
            }
        }
        for (List<PolicyModel.Request> batch : model.batches) {
            int budget = batch.get(0).settings().maxNewTokens();
            for (PolicyModel.Request r : batch) {
                String prompt = r.conversation().get(0).content();
                assertEquals(PromptRuleModel.kind(prompt) == 0 ? MAX_NEW_TOKENS : 3, r.settings().maxNewTokens(),
                        prompt);
                assertEquals(budget, r.settings().maxNewTokens(), "a batch shares one budget");
                assertEquals(0.0, r.settings().temperature(), "greedy");
                assertEquals(1, r.settings().count());
            }
        }
        assertEquals(2, model.batches.size(), "one call per budget");
    }

    @Test
    void aStopEndsAfterTheCurrentBatchAndTheRerunAnswersOnlyTheRest() throws Exception {
        StageSpec spec = spec(5);
        spec.benchmarks = new ArrayList<>(List.of(spec.benchmarks.get(0))); // POPE: 12 questions
        BenchmarkSpec pope = spec.benchmarks.get(0);
        PromptRuleModel first = new PromptRuleModel();
        first.afterBatch = () -> {
            if (first.measured.size() > 5) fx.stop.request(); // during the second batch of questions
        };
        assertEquals(143, run(fx, spec, first));
        List<String> expected = oneAtATime(pope);
        int answered = first.measured.size();
        assertEquals(10, answered, "two batches of five");
        assertEquals(expected.subList(0, answered), written(pope), "both batches kept");

        pope.batchSize = 16; // the rest is less than one batch now
        PromptRuleModel second = new PromptRuleModel();
        assertEquals(ExitCodes.SUCCESS, run(new StageFixture(root), spec, second));
        assertEquals(expected, written(pope));
        assertEquals(expected.size() - answered, second.measured.size(), "answered questions are not asked again");
    }

    @Test
    void aRerunAfterAHardKillMidWriteAnswersOnlyWhatIsMissing() throws Exception {
        StageSpec spec = spec(4);
        spec.benchmarks = new ArrayList<>(List.of(spec.benchmarks.get(2))); // text-only: 8 questions
        BenchmarkSpec text = spec.benchmarks.get(0);
        assertEquals(ExitCodes.SUCCESS, run(fx, spec, new PromptRuleModel()));
        List<String> full = written(text);
        assertEquals(8, full.size());
        // Killed while writing: three whole records and half of the fourth reached the disk.
        Path file = root.resolve("suite/samples/base/" + text.effectiveId() + ".jsonl");
        Files.writeString(file, String.join("\n", full.subList(0, 3)) + "\n" + full.get(3).substring(0, 20));
        Files.deleteIfExists(root.resolve("suite/results.json"));

        PromptRuleModel again = new PromptRuleModel();
        assertEquals(ExitCodes.SUCCESS, run(new StageFixture(root), spec, again));
        assertEquals(full, written(text), "the torn record is answered again, the whole ones are kept");
        assertEquals(5, again.measured.size(), "only the last five questions are asked");
    }
}
