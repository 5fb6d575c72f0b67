package dev.mmalign.trainer.stage;

import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.PathMap;
import dev.mmalign.api.stage.PodContract;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.api.stage.TerminationMessage;
import dev.mmalign.trainer.data.AtomicFiles;
import dev.mmalign.trainer.data.ClaimPaths;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.engine.model.UnsupportedCheckpointException;
import dev.mmalign.trainer.progress.ProgressReporter;
import dev.mmalign.trainer.progress.ProgressReporters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * The stage contract of DESIGN.md §4 in one place: load the spec, run the stage, write result-&lt;stage&gt;-&lt;shard&gt;.json
 * and the compact termination message, and map the outcome to the exit code (0 done, 2 invalid input, 3 budget
 * spent, 143 interrupted, 1 anything else — retryable). In local mode {@link PathMap} translates the in-pod paths
 * (spec file, storage root, default termination log) to local folders.
 */
public final class StageRunner {


    /** One stage's work; returns the result with its outcome, counts, metrics and artifacts filled in. */
    public interface Stage {
        StageResult run(StageContext context) throws Exception;
    }

    private final Map<String, String> env;
    private final PrintStream err;
    private final StopSignal stop;

    public StageRunner(Map<String, String> env, PrintStream err, StopSignal stop) {
        this.env = env;
        this.err = err;
        this.stop = stop;
    }

    /** Runs the stage and returns the exit code; never throws. */
    public int run(StageName name, Path specArgument, Stage stage) {
        String startedAt = Instant.now().toString();
        StageSpec spec = null;
        StageResult result;
        int code;
        Path specFile = specArgument;
        try {
            PathMap pathMap = LocalModePaths.fromEnv(env);
            specFile = StageSpecLoader.locate(specArgument, pathMap);
            spec = StageSpecLoader.load(specFile, name, env, pathMap);
            try (ProgressReporter progress = ProgressReporters.create(spec.progress, spec.owner, spec.shard,
                    Path.of(spec.paths.storageRoot), specFile)) {
                result = stage.run(new StageContext(spec, specFile, progress, stop));
            }
            code = exitCodeOf(result.outcome);
        } catch (InvalidInputException | UnsupportedCheckpointException e) {
            // A checkpoint the engine cannot run as transformers would is bad input too: no retry fixes it.
            result = failure(StageResult.Outcome.failed, e.getMessage());
            code = ExitCodes.INVALID_INPUT;
        } catch (BudgetExhaustedException e) {
            result = failure(StageResult.Outcome.budgetExhausted, e.getMessage());
            code = ExitCodes.BUDGET_EXHAUSTED;
        } catch (Exception | Error e) {
            e.printStackTrace(err);
            result = failure(StageResult.Outcome.failed, FailureDescription.of(e));
            code = 1;
        }
        finish(name, spec, result, startedAt);
        if (result.message != null) {
            err.println(name + " " + result.outcome + ": " + result.message);
        }
        return code;
    }

    /**
     * The spec file on this machine. In local mode the executor has normally rewritten the --spec argument already;
     * an in-pod path that does not exist here (e.g. a hand-run {@code --spec /etc/mmalign/stage.json}) is mapped.
     * Mapping only missing paths never rewrites a local path twice.
     */
    private static StageResult failure(StageResult.Outcome outcome, String message) {
        StageResult r = new StageResult();
        r.outcome = outcome;
        r.message = message;
        return r;
    }

    /** For results a stage returned itself (it throws for invalid input). */
    private static int exitCodeOf(StageResult.Outcome outcome) {
        return switch (outcome) {
            case succeeded -> ExitCodes.SUCCESS;
            case budgetExhausted -> ExitCodes.BUDGET_EXHAUSTED;
            case interrupted -> ExitCodes.INTERRUPTED;
            case failed -> 1;
        };
    }

    private void finish(StageName name, StageSpec spec, StageResult result, String startedAt) {
        result.stage = name;
        result.startedAt = startedAt;
        result.finishedAt = Instant.now().toString();
        if (spec != null) {
            result.shardIndex = spec.shard.index;
            result.shardCount = spec.shard.count;
            // The output folder is checked like every spec path: a result is never written outside the claim.
            Path out = null;
            try {
                out = new ClaimPaths(Path.of(spec.paths.storageRoot)).resolve(spec.paths.outputDir, "paths.outputDir")
                        .resolve(ArtifactLayout.resultFile(name, spec.shard.index));
                AtomicFiles.write(out, Json.pretty(result) + "\n");
            } catch (RuntimeException e) {
                err.println("cannot write the result file " + (out == null ? "" : out) + ": " + e.getMessage());
            }
        }
        writeTerminationLog(result);
    }

    private void writeTerminationLog(StageResult result) {
        String override = env.get(PodContract.ENV_TERMINATION_LOG);
        Path inPod = Path.of(PodContract.TERMINATION_LOG);
        Path log;
        try {
            log = override != null ? Path.of(override) : LocalModePaths.fromEnv(env).map(inPod);
        } catch (InvalidInputException e) {
            err.println("cannot map the termination log path: " + e.getMessage());
            return;
        }
        // Outside a pod (and unmapped) /dev/termination-log does not exist: nothing to do there.
        boolean chosen = override != null || !log.equals(inPod);
        if (!chosen && !Files.isWritable(log)) {
            return;
        }
        try {
            Files.writeString(log, TerminationMessage.encode(result), StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("cannot write termination message to " + log + ": " + e.getMessage());
        }
    }
}
