package dev.mmalign.trainer.annotate;

import dev.mmalign.api.common.JudgeSpec;
import dev.mmalign.trainer.data.InvalidInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Builds the client of a judge spec. Credentials: vertex-gemini uses Application Default Credentials (Workload
 * Identity, or the key file named by GOOGLE_APPLICATION_CREDENTIALS); openai-compatible reads its API key from
 * MMALIGN_JUDGE_API_KEY or the file named by MMALIGN_JUDGE_API_KEY_FILE. Keys are never logged.
 */
public final class JudgeClients {

    public static final String API_KEY_ENV = "MMALIGN_JUDGE_API_KEY";
    public static final String API_KEY_FILE_ENV = "MMALIGN_JUDGE_API_KEY_FILE";

    private JudgeClients() {}

    public static JudgeClient create(JudgeSpec spec, Path specFile, Map<String, String> env, int timeoutMillis) {
        return switch (spec.provider) {
            case VERTEX_GEMINI -> {
                require(spec.project, "project", specFile);
                require(spec.location, "location", specFile);
                require(spec.model, "model", specFile);
                yield new VertexGeminiJudge(spec.project, spec.location, spec.model, spec.endpoint, null, timeoutMillis);
            }
            case OPENAI_COMPATIBLE -> {
                require(spec.endpoint, "endpoint", specFile);
                require(spec.model, "model", specFile);
                yield new OpenAiCompatibleJudge(spec.endpoint, spec.model, apiKey(env),
                        Duration.ofMillis(timeoutMillis));
            }
            case IMPORT, ORACLE -> throw new InvalidInputException(specFile, "provider " + spec.provider.wireName()
                    + " has no judge model to call");
        };
    }

    private static void require(String value, String field, Path specFile) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(specFile, "the judge's " + field + " is required for this provider");
        }
    }

    private static String apiKey(Map<String, String> env) {
        String key = env.get(API_KEY_ENV);
        if (key != null && !key.isBlank()) return key.trim();
        String file = env.get(API_KEY_FILE_ENV);
        if (file == null || file.isBlank()) return null;
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the judge API key file named by " + API_KEY_FILE_ENV, e);
        }
    }
}
