package dev.mmalign.trainer.stage;

import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.PodContract;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.api.stage.TerminationMessage;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.engine.ModelLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guards the stage contract: exit codes, result.json per shard, the termination message, spec validation. */
class StageRunnerTest {

    @TempDir
    Path root;
    StageFixture fx;

    @BeforeEach
    void setUp() {
        fx = new StageFixture(root);
    }

    @Test
    void successWritesResultFileAndTerminationMessage() throws Exception {
        StageSpec spec = fx.spec(StageName.build, "out");
        int code = fx.run(spec, ctx -> {
            StageResult r = new StageResult();
            r.outcome = StageResult.Outcome.succeeded;
            r.counts.put("pairs", 7L);
            return r;
        });
        assertEquals(ExitCodes.SUCCESS, code);
        StageResult written = fx.result(spec);
        assertEquals(7L, written.counts.get("pairs"));
        assertEquals(StageName.build, written.stage);
        StageResult terminated = TerminationMessage.decode(Files.readString(fx.termination));
        assertEquals(StageResult.Outcome.succeeded, terminated.outcome);
    }

    @Test
    void invalidInputExitsWithTwoAndKeepsTheMessage() throws Exception {
        StageSpec spec = fx.spec(StageName.build, "out");
        int code = fx.run(spec, ctx -> {
            throw new InvalidInputException(Path.of("/data/prompts.jsonl"), 12, "bad line");
        });
        assertEquals(ExitCodes.INVALID_INPUT, code);
        assertEquals("/data/prompts.jsonl:12: bad line", fx.result(spec).message);
    }

    @Test
    void aCheckpointTheEngineCannotRunExitsWithTwoNamingFileAndField() throws Exception {
        Path model = root.resolve("model");
        Files.createDirectories(model);
        Files.writeString(model.resolve("config.json"), """
                {"model_type":"llava","text_config":{"rope_scaling":{"rope_type":"yarn","factor":4.0}}}
                """);
        StageSpec spec = fx.spec(StageName.train, "out");
        int code = fx.run(spec, ctx -> {
            ModelLoader.load(model).close();
            throw new AssertionError("loaded");
        });
        assertEquals(ExitCodes.INVALID_INPUT, code);
        assertTrue(fx.result(spec).message.startsWith(model.resolve("config.json") + ": text_config.rope_scaling: "),
                fx.result(spec).message);
    }

    @Test
    void unexpectedErrorIsRetryableAndNamesTypeAndSourceLine() throws Exception {
        StageSpec spec = fx.spec(StageName.build, "out");
        int code = fx.run(spec, ctx -> {
            throw new IllegalStateException("boom");
        });
        assertEquals(1, code);
        String message = fx.result(spec).message;
        assertTrue(message.matches("IllegalStateException at StageRunnerTest\\.java:\\d+: boom"), message);
    }

    @Test
    void budgetOutcomeExitsWithThree() throws Exception {
        StageSpec spec = fx.spec(StageName.annotate, "out");
        int code = fx.run(spec, ctx -> {
            StageResult r = new StageResult();
            r.outcome = StageResult.Outcome.budgetExhausted;
            return r;
        });
        assertEquals(ExitCodes.BUDGET_EXHAUSTED, code);
    }

    @Test
    void unknownFieldInSpecIsInvalidWithFileAndLine() throws Exception {
        Path file = root.resolve("stage.json");
        Files.writeString(file, "{\n  \"stage\": \"build\",\n  \"paths\": {\"storageRoot\": \"" + root
                + "\", \"outputDir\": \"out\"},\n  \"trainingSetz\": {}\n}\n");
        int code = fx.run(StageName.build, file, ctx -> {
            throw new AssertionError("must not run");
        });
        assertEquals(ExitCodes.INVALID_INPUT, code);
        String message = TerminationMessage.decode(Files.readString(fx.termination)).message;
        assertTrue(message.startsWith(file + ":4: ") && message.contains("trainingSetz"), message);
    }

    @Test
    void unknownEnumValueInSpecIsInvalid() throws Exception {
        Path file = root.resolve("stage.json");
        Files.writeString(file, "{\"stage\":\"build\",\"paths\":{\"storageRoot\":\"" + root
                + "\",\"outputDir\":\"out\"},\"trainingSets\":{\"dpo\":{\"rejected\":\"best\"}}}");
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(StageName.build, file, ctx -> null));
    }

    @Test
    void specForAnotherStageIsRejected() throws Exception {
        StageSpec spec = fx.spec(StageName.sample, "out");
        Path file = fx.write(spec, "stage.json");
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(StageName.build, file, ctx -> null));
    }

    @Test
    void jobCompletionIndexSetsTheShard() throws Exception {
        StageSpec spec = fx.spec(StageName.sample, "out");
        spec.shard = new dev.mmalign.api.stage.Shard(0, 3);
        fx.env.put(PodContract.ENV_JOB_COMPLETION_INDEX, "2");
        int[] seen = new int[1];
        fx.run(spec, ctx -> {
            seen[0] = ctx.shard().index;
            StageResult r = new StageResult();
            r.outcome = StageResult.Outcome.succeeded;
            return r;
        });
        assertEquals(2, seen[0]);
        assertTrue(Files.exists(root.resolve("out/result-sample-00002.json")));
    }

    @Test
    void shardIndexOutOfRangeIsInvalid() throws Exception {
        StageSpec spec = fx.spec(StageName.sample, "out");
        fx.env.put(PodContract.ENV_JOB_COMPLETION_INDEX, "5");
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec, ctx -> null));
    }
}
