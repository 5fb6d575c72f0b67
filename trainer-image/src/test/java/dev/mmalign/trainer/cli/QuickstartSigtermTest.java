package dev.mmalign.trainer.cli;

import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.trainer.data.Json;
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
 * Guards the quickstart command's SIGTERM handling in a real child JVM, as a pod's termination or local mode stopping
 * its claim preparation sends it: the running training stops after the step in hand with a checkpoint, the command
 * exits with the retryable 143 and says how to resume, and running the same command again resumes that training from
 * the checkpoint instead of starting over.
 */
class QuickstartSigtermTest {

    @TempDir
    Path root;

    @Test
    void sigtermStopsTheQuickstartWithACheckpointAndTheRerunResumesFromIt() throws Exception {
        Path work = root.resolve("claim").resolve(".quickstart");
        Path lm = work.resolve(ArtifactLayout.runRoot("lm"));
        Path metrics = lm.resolve(ArtifactLayout.METRICS_LOG);
        Path resultFile = lm.resolve(ArtifactLayout.resultFile(StageName.train, 0));

        Process first = startAndSignalOnceGrown(metrics, 0, "first.log");
        assertEquals(ExitCodes.INTERRUPTED, first.exitValue(), Files.readString(root.resolve("first.log")));
        assertTrue(Files.readString(root.resolve("first.log")).contains("run the same command again to resume"));
        StageResult stopped = Json.MAPPER.readValue(resultFile.toFile(), StageResult.class);
        assertEquals(StageResult.Outcome.interrupted, stopped.outcome);
        long checkpoint = stopped.counts.get("checkpointStep");
        assertTrue(checkpoint > 0, "a checkpoint of the work so far: " + stopped.counts);

        Process second = startAndSignalOnceGrown(metrics, Files.size(metrics), "second.log");
        assertEquals(ExitCodes.INTERRUPTED, second.exitValue(), Files.readString(root.resolve("second.log")));
        StageResult resumed = Json.MAPPER.readValue(resultFile.toFile(), StageResult.class);
        assertEquals(checkpoint, resumed.counts.get("resumedFromStep"), "the rerun resumed: " + resumed.counts);
        assertTrue(resumed.counts.get("checkpointStep") > checkpoint, "and went on: " + resumed.counts);
    }

    /**
     * Starts {@code quickstart --prepare-only} on a world far too small to mean anything, with a language-model
     * training far too long to end by itself, sends SIGTERM (as the kubelet does) once the training's metrics log is
     * larger than {@code size}, and waits for the child to end.
     */
    private Process startAndSignalOnceGrown(Path metrics, long size, String log) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "quickstart", "--prepare-only", "--out", root.resolve("claim").toString(),
                "--vit-scenes", "2", "--prompts-scenes", "2", "--heldout-scenes", "2", "--text-train", "32",
                "--text-heldout", "2", "--extra-existence", "1", "--lm-epochs", "100000", "--vit-epochs", "1"));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(root.resolve(log).toFile())
                .start();
        // A hang guard, not a timing check: generous for a loaded 2-core machine.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (System.nanoTime() < deadline && child.isAlive()
                && !(Files.exists(metrics) && Files.size(metrics) > size)) {
            Thread.sleep(50);
        }
        assertTrue(child.isAlive(), "the child ended before it could be signalled: "
                + Files.readString(root.resolve(log)));
        child.destroy(); // SIGTERM
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child stopped: " + Files.readString(root.resolve(log)));
        return child;
    }
}
