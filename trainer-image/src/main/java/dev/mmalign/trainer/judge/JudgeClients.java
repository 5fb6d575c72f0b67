package dev.mmalign.trainer.judge;

import com.google.auth.oauth2.GoogleCredentials;
import dev.mmalign.api.common.JudgeSpec;
import dev.mmalign.api.stage.JudgeWiring;
import dev.mmalign.trainer.data.InvalidInputException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Builds the client of a judge spec, with the credentials the pod contract gives it ({@link JudgeWiring}):
 * vertex-gemini loads the service-account key file named by {@value JudgeWiring#ENV_GOOGLE_CREDENTIALS_FILE}, or
 * else uses Application Default Credentials (Workload Identity); openai-compatible reads its API key from
 * {@value JudgeWiring#ENV_API_KEY} or the file named by {@value JudgeWiring#ENV_API_KEY_FILE}. The variables are
 * read from the {@code env} given, not the process's, so that what the stage was handed is what it uses. Keys are
 * never logged.
 */
public final class JudgeClients {

    /** What a Vertex AI call needs of a service-account key. */
    private static final String CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

    private JudgeClients() {}

    public static JudgeClient create(JudgeSpec spec, Path specFile, Map<String, String> env, int timeoutMillis) {
        return switch (spec.provider) {
            case VERTEX_GEMINI -> {
                require(spec.project, "project", specFile);
                require(spec.location, "location", specFile);
                require(spec.model, "model", specFile);
                yield new VertexGeminiJudge(spec.project, spec.location, spec.model, spec.endpoint,
                        googleCredentials(env), timeoutMillis);
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
        String key = env.get(JudgeWiring.ENV_API_KEY);
        if (key != null && !key.isBlank()) return key.trim();
        String file = env.get(JudgeWiring.ENV_API_KEY_FILE);
        if (file == null || file.isBlank()) return null;
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the judge API key file named by "
                    + JudgeWiring.ENV_API_KEY_FILE, e);
        }
    }

    /** The key file's credentials, or null for Application Default Credentials when no file is named. */
    private static GoogleCredentials googleCredentials(Map<String, String> env) {
        String file = env.get(JudgeWiring.ENV_GOOGLE_CREDENTIALS_FILE);
        if (file == null || file.isBlank()) return null;
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            return GoogleCredentials.fromStream(in).createScoped(List.of(CLOUD_PLATFORM_SCOPE));
        } catch (IOException e) {
            // Retryable, as a missing or unreadable API key file is; the message names the variable, never the key.
            throw new UncheckedIOException("cannot read the Google credentials file named by "
                    + JudgeWiring.ENV_GOOGLE_CREDENTIALS_FILE, e);
        }
    }
}
