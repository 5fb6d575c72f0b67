package dev.mmalign.trainer.stage;

import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.api.bench.BenchmarkSpec;
import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.api.dataset.SteerLMTemplate;
import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.api.run.DatasetRef;
import dev.mmalign.api.run.LoraSpec;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.run.TrainingDefaults;
import dev.mmalign.api.run.TrainingSpec;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.evaluate.EvaluateStage;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.sets.SteerLMCondition;
import dev.mmalign.trainer.sets.SteerLMDescriptor;
import dev.mmalign.trainer.synthetic.SyntheticWorld;
import dev.mmalign.trainer.train.TrainStage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SteerLM end to end on the engine's tiny preset: the train stage reads the condition from its set, the trained model
 * carries it, and the evaluate stage asks the model in that template; bad sets and sets that cannot fit maxLength fail
 * clearly instead of training on nothing.
 */
class SteerLMStagesTest {

    static final List<HelpSteerAttribute> ALL = List.of(HelpSteerAttribute.values());
    static final String BEST_NATURAL = "\n" + SteerLMCondition.NATURAL_LANGUAGE_LEAD
            + "Helpfulness:4,Correctness:4,Coherence:4,Complexity:4,Verbosity:4";

    @TempDir
    Path root;
    StageFixture fx;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void world() throws Exception {
        fx = new StageFixture(root);
        fx.writeTinyModel("models/base", 5);
        SyntheticWorld.write(root.resolve("world"), new SyntheticWorld.Config(0, 2, 0, 2, 32, 3, 3));
    }

    /** A SteerLM set as the build stage writes it: each completion conditioned on its own ratings. */
    private void steerSet(SteerLMTemplate template, int n) throws Exception {
        List<SftExampleRecord> set = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Integer> ratings = Map.of("helpfulness", i % 5, "correctness", (i + 1) % 5, "coherence", 4,
                    "complexity", 2, "verbosity", i % 3);
            set.add(new SftExampleRecord("c" + i, List.of(), SteerLMCondition.apply(template, "What is " + i
                    + " plus 1?", ALL, ratings), (i + 1) + "."));
        }
        fx.writeJsonl("sets/steer.jsonl", set);
    }

    private StageSpec train(Integer maxLength) {
        StageSpec spec = fx.spec(StageName.train, "runs/steer");
        spec.paths.inputs.put("model", "models/base");
        spec.paths.inputs.put("dataset", "sets/steer.jsonl");
        spec.run = new AlignmentRunSpec();
        spec.run.method = Method.SteerLM;
        spec.run.dataset = new DatasetRef();
        spec.run.dataset.path = "sets/steer.jsonl";
        spec.run.lora = new LoraSpec();
        spec.run.lora.rank = 4;
        spec.run.lora.alpha = 8.0;
        spec.run.training = new TrainingSpec();
        spec.run.training.epochs = 1;
        spec.run.training.perDeviceBatchSize = 2;
        spec.run.training.learningRate = 1e-3;
        spec.run.training.maxLength = maxLength;
        return spec;
    }

    private int run(StageSpec spec) throws Exception {
        TrainingDefaults.resolve(spec.run); // the operator's part (RunPlan): the trainer reads resolved values only
        return fx.run(spec, new TrainStage(new PrintStream(log, true)));
    }

    /** Records, per loaded model in load order, what reaches the engine underneath the SteerLM wrapper. */
    static final class PromptLog {
        final List<RecordingPolicyModel> perModel = new ArrayList<>();

        PolicyModel wrap(PolicyModel engine) {
            RecordingPolicyModel recording = new RecordingPolicyModel(engine);
            perModel.add(recording);
            return recording;
        }
    }

    /**
     * Guards task 1 end to end: the trained SteerLM adapter and merged model carry steerlm.json (the set's template,
     * every attribute at 4), and the evaluate stage's questions to those models carry the condition while the base's
     * questions stay plain.
     */
    @Test
    void trainedSteerLMModelIsEvaluatedWithItsAttributePrompt() throws Exception {
        steerSet(SteerLMTemplate.NATURAL_LANGUAGE, 6);
        assertEquals(0, run(train(null)), fx.stderrText());
        SteerLMDescriptor expected = SteerLMDescriptor.best(SteerLMTemplate.NATURAL_LANGUAGE, ALL);
        assertEquals(expected, SteerLMDescriptor.read(root.resolve("runs/steer/adapter")));
        assertEquals(expected, SteerLMDescriptor.read(root.resolve("runs/steer/merged")));
        StageResult trained = fx.result(train(null));
        assertTrue(trained.metrics.get("train_loss") > 0, "a mean token NLL over real response tokens");
        assertEquals(0L, trained.counts.get("skippedPromptTooLong"));
        assertTrue(log.toString().contains("max_position_embeddings 512; using 512"),
                "the SFT default 2048 is capped at the tiny model's positions: " + log);

        StageSpec eval = fx.spec(StageName.evaluate, "suite");
        eval.models = List.of(new ResolvedModel("base", "models/base", null),
                new ResolvedModel("steer", "models/base", "runs/steer/adapter"),
                new ResolvedModel("steer-merged", "runs/steer/merged", null));
        BenchmarkSpec pope = new BenchmarkSpec();
        pope.name = BenchmarkName.POPE;
        pope.dataPath = "world/pope-heldout.jsonl";
        pope.imageRoot = "world/images";
        pope.limit = 2;
        pope.maxNewTokens = 2;
        eval.benchmarks = List.of(pope);
        PromptLog prompts = new PromptLog();
        assertEquals(0, fx.run(eval, new EvaluateStage(new EnginePolicyModelLoader(prompts::wrap), Map.of(),
                JudgeTuning.standard())), fx.stderrText());

        assertEquals(3, prompts.perModel.size());
        List<String> base = prompts.perModel.get(0).lastUserTurns();
        assertEquals(2, base.size());
        for (String p : base) {
            assertFalse(p.contains(SteerLMCondition.NATURAL_LANGUAGE_LEAD), "the base is asked plainly: " + p);
        }
        for (RecordingPolicyModel steer : prompts.perModel.subList(1, 3)) {
            List<String> asked = steer.lastUserTurns();
            assertEquals(base.size(), asked.size());
            for (int i = 0; i < asked.size(); i++) {
                assertEquals(base.get(i) + BEST_NATURAL, asked.get(i));
            }
        }
    }

    /** Guards strict parsing: an example without the condition is exit code 2 naming file and line. */
    @Test
    void anExampleWithoutTheConditionIsInvalidInputNamingTheLine() throws Exception {
        steerSet(SteerLMTemplate.NATURAL_LANGUAGE, 4);
        Path set = root.resolve("sets/steer.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(set));
        lines.set(2, "{\"id\":\"plain\",\"images\":[],\"prompt\":\"What is 2 plus 1?\",\"completion\":\"3.\"}");
        Files.write(set, lines);
        assertEquals(ExitCodes.INVALID_INPUT, run(train(null)));
        String message = fx.result(train(null)).message;
        assertTrue(message.startsWith(set + ":3: SteerLM example plain: the prompt carries no SteerLM condition"),
                message);
    }

    /** Guards consistency: a set mixing templates is exit code 2 naming the first line that differs. */
    @Test
    void aSetMixingTemplatesIsInvalidInput() throws Exception {
        steerSet(SteerLMTemplate.NEMO, 3);
        Path set = root.resolve("sets/steer.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(set));
        lines.add(dev.mmalign.trainer.data.Json.line(new SftExampleRecord("x", List.of(),
                SteerLMCondition.best(SteerLMTemplate.NATURAL_LANGUAGE, "Q", ALL), "A.")));
        Files.write(set, lines);
        assertEquals(ExitCodes.INVALID_INPUT, run(train(null)));
        String message = fx.result(train(null)).message;
        assertTrue(message.startsWith(set + ":4: SteerLM example x uses the natural-language template but line 1"
                + " uses nemo"), message);
    }

    /**
     * Guards the "-0.0000" SteerLM loss of the quickstart: with maxLength 160 the natural-language condition alone
     * filled every prompt, so every example trained on zero response tokens (loss -0.0, grad norm 0). Such examples
     * are now left out and counted, and a set where none fits fails naming spec.training.maxLength.
     */
    @Test
    void promptsThatFillMaxLengthAreSkippedAndCountedOrFailTheRun() throws Exception {
        steerSet(SteerLMTemplate.NATURAL_LANGUAGE, 4);
        assertEquals(ExitCodes.INVALID_INPUT, run(train(160)));
        String message = fx.result(train(160)).message;
        assertTrue(message.contains("no example fits spec.training.maxLength=160"), message);

        // One example with a short question fits 200 positions; the other three (long questions) do not.
        Path set = root.resolve("sets/steer.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(set));
        for (int i = 1; i < 4; i++) {
            lines.set(i, dev.mmalign.trainer.data.Json.line(new SftExampleRecord("long" + i, List.of(),
                    SteerLMCondition.best(SteerLMTemplate.NATURAL_LANGUAGE, "Why? ".repeat(10), ALL), "Because.")));
        }
        Files.write(set, lines);
        int fits = 1 + "USER: What is 0 plus 1?".length() + BEST_NATURAL.length() + " ASSISTANT:".length() + 1;
        assertEquals(0, run(train(fits)), fx.stderrText());
        StageResult r = fx.result(train(fits));
        assertEquals(3L, r.counts.get("skippedPromptTooLong"));
        assertEquals(1L, r.counts.get("examples"));
        assertTrue(r.metrics.get("train_loss") > 0, "the one example trains on its one response token");
    }
}
