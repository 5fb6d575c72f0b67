package dev.mmalign.trainer.cli;

import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.PathMap;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.annotate.JudgeCheck;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.judge.JudgeCallException;
import dev.mmalign.trainer.stage.StageSpecLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code mmalign-trainer judge-check --spec stage.json [--stage evaluate]}: sends one short request to the judge of an
 * annotate (or evaluate) stage spec with the credentials of this environment, and says whether it answered. Nothing is
 * written; only the judge's name, the answer's length and its token counts are printed (never a key).
 */
@Command(name = "judge-check", mixinStandardHelpOptions = true,
        description = "Check that this pod reaches the judge of a stage spec with its credentials (one short request).")
public final class JudgeCheckCommand implements Callable<Integer> {

    @Option(names = "--spec", required = true, description = "Stage spec JSON (mounted at /etc/mmalign/stage.json).")
    Path spec;

    @Option(names = "--stage", defaultValue = "annotate",
            description = "Whose judge: annotate (the dataset's annotation judge) or evaluate (the suite's judge).")
    StageName stage;

    @Option(names = "--timeout-ms", defaultValue = "30000", description = "Timeout of the request.")
    int timeoutMillis;

    @Override
    public Integer call() {
        return run(System.getenv());
    }

    int run(Map<String, String> env) {
        try {
            PathMap paths = pathMap(env);
            Path specFile = StageSpecLoader.locate(spec, paths);
            StageSpec loaded = StageSpecLoader.load(specFile, stage, env, paths);
            JudgeCheck.Outcome outcome = JudgeCheck.run(stage, loaded, specFile, env, timeoutMillis);
            System.out.printf("judge-check: %s answered (%d characters, %d input tokens, %d output tokens)%n",
                    outcome.judge(), outcome.reply().text().length(), outcome.reply().inputTokens(),
                    outcome.reply().outputTokens());
            return ExitCodes.SUCCESS;
        } catch (InvalidInputException e) {
            System.err.println("judge-check: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        } catch (JudgeCallException e) {
            System.err.println("judge-check: the judge did not answer (" + e.kind() + "): " + e.getMessage());
            return e.kind() == JudgeCallException.Kind.FATAL ? ExitCodes.INVALID_INPUT : 1;
        }
    }

    /** Local mode's path translation; a malformed variable is a configuration error. */
    private static PathMap pathMap(Map<String, String> env) {
        try {
            return PathMap.fromEnv(env);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage());
        }
    }
}
