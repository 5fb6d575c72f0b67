package dev.mmalign.trainer.stage;

import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.dataset.PromptsSpec;
import dev.mmalign.api.dataset.SamplingSpec;
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
 * with outcome interrupted, leaves only whole lines behind, and the process exits with the retryable 143.
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

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                SigtermProbe.class.getName(), specFile.toString());
        pb.environment().put(StageRunner.TERMINATION_LOG_ENV, fx.termination.toString());
        pb.redirectErrorStream(true).redirectOutput(root.resolve("child.log").toFile());
        Process child = pb.start();
        Path completions = root.resolve("out/completions-00000-of-00001.jsonl");
        // Wait (bounded) until the child is producing, then send SIGTERM as the kubelet does.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && child.isAlive()
                && !(Files.exists(completions) && Files.size(completions) > 0)) {
            Thread.sleep(50);
        }
        assertTrue(child.isAlive(), "the child ended before it could be signalled: " + Files.readString(
                root.resolve("child.log")));
        child.destroy(); // SIGTERM
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(StageRunner.INTERRUPTED, child.exitValue());

        StageResult result = fx.result(spec);
        assertEquals(StageResult.Outcome.interrupted, result.outcome);
        List<CompletionRecord> written = JsonlReader.readAll(completions, CompletionRecord.class, null);
        assertTrue(written.size() % 4 == 0 && written.size() < 800, "whole prompts only, and it did stop early");
        assertTrue(Files.readString(completions).endsWith("\n"));
    }
}
