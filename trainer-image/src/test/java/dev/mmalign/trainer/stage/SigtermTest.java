package dev.mmalign.trainer.stage;

import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.dataset.PromptsSpec;
import dev.mmalign.api.dataset.SamplingSpec;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.PodContract;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards DESIGN.md §4's SIGTERM behaviour in a real child JVM: the stage finishes the unit in hand, writes its result
 * with outcome interrupted, leaves only whole lines behind, and the process exits with the retryable 143; a stage
 * that completes (or fails permanently) while stopping exits with its own code, not the JVM's 143 for a signal.
 */
class SigtermTest {

    @TempDir
    Path root;

    @Test
    void sigtermStopsAfterTheUnitInHandAndWritesTheResult() throws Exception {
        StageFixture fx = new StageFixture(root);
        List<PromptRecord> prompts = new ArrayList<>();
        for (int i = 0; i < 200; i++) prompts.add(new PromptRecord("p" + i, null, "q" + i, null, null, null));
        fx.writeJsonl("in/prompts.jsonl", prompts);
        StageSpec spec = fx.spec(StageName.sample, "out");
        spec.prompts = new PromptsSpec();
        spec.prompts.path = "in/prompts.jsonl";
        spec.sampling = new SamplingSpec();
        spec.sampling.model = ModelSource.ofPath("m");
        Path specFile = fx.write(spec, "stage.json");

        Path completions = root.resolve("out/completions-00000-of-00001.jsonl");
        Process child = startAndSignalOnceExists(fx, "sample", specFile, completions);
        assertEquals(ExitCodes.INTERRUPTED, child.exitValue());

        StageResult result = fx.result(spec);
        assertEquals(StageResult.Outcome.interrupted, result.outcome);
        List<CompletionRecord> written = JsonlReader.readAll(completions, CompletionRecord.class, null);
        assertTrue(written.size() % 4 == 0 && written.size() < 800, "whole prompts only, and it did stop early");
        assertTrue(Files.readString(completions).endsWith("\n"));
    }

    /** Guards the exit code of a stage whose work was done when SIGTERM came: 0 (succeeded), not 143 (retried). */
    @Test
    void stageThatCompletesWhileStoppingExitsZero() throws Exception {
        StageFixture fx = new StageFixture(root);
        Path specFile = fx.write(fx.spec(StageName.sample, "out"), "stage.json");
        Process child = startAndSignalOnceExists(fx, "finish", specFile, root.resolve("out/started"));
        assertEquals(0, child.exitValue(), Files.readString(root.resolve("child.log")));
        assertEquals(StageResult.Outcome.succeeded, fx.result(fx.spec(StageName.sample, "out")).outcome);
    }

    /** Guards a permanent failure found while stopping: exit 2 (the Job's FailJob rule), not the retryable 143. */
    @Test
    void invalidInputFoundWhileStoppingExitsTwo() throws Exception {
        StageFixture fx = new StageFixture(root);
        Path specFile = fx.write(fx.spec(StageName.sample, "out"), "stage.json");
        Process child = startAndSignalOnceExists(fx, "invalid", specFile, root.resolve("out/started"));
        assertEquals(2, child.exitValue(), Files.readString(root.resolve("child.log")));
    }

    /** Starts {@link SigtermProbe} in {@code mode}, sends SIGTERM (as the kubelet does) once {@code ready} has
     * content, and waits for the child to end. */
    private Process startAndSignalOnceExists(StageFixture fx, String mode, Path specFile, Path ready)
            throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                SigtermProbe.class.getName(), mode, specFile.toString());
        pb.environment().put(PodContract.ENV_TERMINATION_LOG, fx.termination.toString());
        pb.redirectErrorStream(true).redirectOutput(root.resolve("child.log").toFile());
        Process child = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && child.isAlive() && !(Files.exists(ready) && Files.size(ready) > 0)) {
            Thread.sleep(50);
        }
        assertTrue(child.isAlive(), "the child ended before it could be signalled: " + Files.readString(
                root.resolve("child.log")));
        child.destroy(); // SIGTERM
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        return child;
    }
}
