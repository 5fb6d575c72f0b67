package dev.mmalign.trainer.stage;

import dev.mmalign.api.stage.PathMap;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Local mode's MMALIGN_PATH_MAP in the trainer: the stage pod's absolute paths translated to local folders (the
 * mapping rule itself is tested with {@link PathMap} in src/api).
 */
class PathMapTest {

    @TempDir
    Path tmp;

    /** Guards that a malformed variable is a configuration error (exit code 2), not a silent wrong path. */
    @Test
    void malformedEntriesAreInvalidInput() {
        assertThrows(InvalidInputException.class, () -> LocalModePaths.parse("/data"));
        assertThrows(InvalidInputException.class, () -> LocalModePaths.parse("data=/w/claim"));
        assertThrows(InvalidInputException.class, () -> LocalModePaths.parse("/data=relative"));
    }

    /**
     * Guards the runner end to end: a spec naming storageRoot /data, given as --spec /etc/mmalign/stage.json, with
     * the default termination log; all three land in the mapped local folders.
     */
    @Test
    void runnerMapsSpecFileStorageRootAndTerminationLog() throws Exception {
        Path claim = Files.createDirectories(tmp.resolve("claim"));
        Path specDir = Files.createDirectories(tmp.resolve("spec"));
        Path termination = tmp.resolve("termination-log");
        StageSpec spec = new StageSpec();
        spec.stage = StageName.build;
        spec.paths.storageRoot = "/data";
        spec.paths.outputDir = "out";
        spec.progress.mode = dev.mmalign.api.stage.ProgressReporting.Mode.file;
        spec.progress.file = "progress.jsonl";
        Files.writeString(specDir.resolve("stage.json"), dev.mmalign.trainer.data.Json.pretty(spec));
        Map<String, String> env = Map.of(PathMap.ENV,
                "/dev/termination-log=" + termination + ":/etc/mmalign=" + specDir + ":/data=" + claim);

        StageRunner.Stage stage = ctx -> {
            Files.createDirectories(ctx.outputDir());
            Files.writeString(ctx.outputDir().resolve("written.txt"), "x");
            StageResult r = new StageResult();
            r.outcome = StageResult.Outcome.succeeded;
            r.artifacts.put("written", ctx.relative(ctx.outputDir().resolve("written.txt")));
            return r;
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new StageRunner(env, new PrintStream(err, true), new StopSignal())
                .run(StageName.build, Path.of("/etc/mmalign/stage.json"), stage);

        assertEquals(0, code, err.toString());
        assertTrue(Files.exists(claim.resolve("out/written.txt")), "outputs under the mapped storage root");
        assertTrue(Files.exists(claim.resolve("out/result-build-00000.json")), "result file under the mapped root");
        assertTrue(Files.readString(termination).contains("succeeded"), "termination message at the mapped path");
    }
}
