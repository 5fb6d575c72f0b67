package dev.mmalign.trainer.judge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.net.RetryAfter;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A chat-completions endpoint (e.g. vLLM serving a local judge), called over java.net.http. */
public final class OpenAiCompatibleJudge implements JudgeClient {

    private final HttpClient http;
    private final URI url;
    private final String model;
    private final String apiKey;
    private final Duration timeout;

    /** @param endpoint base URL such as http://vllm:8000/v1; {@code /chat/completions} is appended */
    public OpenAiCompatibleJudge(String endpoint, String model, String apiKey, Duration timeout) {
        String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.url = URI.create(base + "/chat/completions");
        this.model = model;
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public String name() {
        return "openai-compatible/" + model;
    }

    @Override
    public JudgeReply call(JudgeRequest request) throws JudgeCallException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.line(body(request))));
        if (apiKey != null && !apiKey.isBlank()) {
            builder.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<String> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new JudgeCallException(JudgeCallException.Kind.TRANSIENT, "timed out after " + timeout, e);
        } catch (IOException e) {
            throw new JudgeCallException(JudgeCallException.Kind.TRANSIENT, "request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JudgeCallException(JudgeCallException.Kind.TRANSIENT, "interrupted", e);
        }
        if (response.statusCode() != 200) {
            long retryAfter = RetryAfter.millis(response.headers().firstValue("Retry-After").orElse(null),
                    Clock.systemUTC()).orElse(-1);
            throw new JudgeCallException(JudgeCallException.kindOfStatus(response.statusCode()),
                    "endpoint answered HTTP " + response.statusCode() + ": " + abbreviate(response.body()), null,
                    retryAfter);
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new JudgeCallException(JudgeCallException.Kind.MALFORMED, "body is not JSON: "
                    + abbreviate(response.body()), e);
        }
        JsonNode content = root.path("choices").path(0).path("message").path("content");
        if (!content.isTextual() || content.asText().isBlank()) {
            throw new JudgeCallException(JudgeCallException.Kind.MALFORMED, "no choices[0].message.content in "
                    + abbreviate(response.body()));
        }
        JsonNode usage = root.path("usage");
        return new JudgeReply(content.asText(), usage.path("prompt_tokens").asLong(0),
                usage.path("completion_tokens").asLong(0));
    }

    private Map<String, Object> body(JudgeRequest request) {
        List<Object> userContent = new ArrayList<>();
        if (request.image() != null) {
            String dataUrl = "data:" + request.imageMimeType() + ";base64,"
                    + Base64.getEncoder().encodeToString(request.image());
            userContent.add(Map.of("type", "image_url", "image_url", Map.of("url", dataUrl)));
        }
        userContent.add(Map.of("type", "text", "text", request.user()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("temperature", request.parameters().temperature());
        if (request.parameters().maxTokens() != null) {
            body.put("max_tokens", request.parameters().maxTokens());
        }
        // No system message when the request has none: some official graders (MM-Vet) send the user turn only.
        List<Object> messages = new ArrayList<>();
        if (request.system() != null) messages.add(Map.of("role", "system", "content", request.system()));
        messages.add(Map.of("role", "user", "content", userContent));
        body.put("messages", messages);
        if (request.format() != null) {
            body.put("response_format", Map.of("type", "json_schema",
                    "json_schema", Map.of("name", "ratings", "schema", request.format().jsonSchema())));
        }
        return body;
    }

    private static String abbreviate(String s) {
        if (s == null) return "";
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }
}
