package dev.mmalign.trainer.sample;

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

/**
 * One sampling request to an OpenAI-compatible {@code /chat/completions} endpoint, as vLLM serves llava-hf models: a
 * user message whose content is the image as a base64 data URL part followed by the question as a text part (the
 * server applies the model's chat template), with {@code n}, {@code temperature}, {@code top_p}, {@code max_tokens}
 * and {@code seed}. The completions come back in {@code choices[].index} order.
 */
final class ChatCompletionsClient {

    /** What one request asks for; {@code seed} null sends none. */
    record Call(byte[] image, String imageMimeType, String question, int n, double temperature, double topP,
                int maxTokens, Long seed) {}

    private final HttpClient http;
    private final URI url;
    private final String model;
    private final String apiKey;
    private final Duration timeout;

    /** @param baseUrl such as http://vllm:8000/v1; {@code /chat/completions} is appended */
    ChatCompletionsClient(String baseUrl, String model, String apiKey, Duration timeout) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.url = URI.create(base + "/chat/completions");
        this.model = model;
        this.apiKey = apiKey;
        this.timeout = timeout;
        // HTTP/1.1: servers such as uvicorn (vLLM) do not speak h2c, and an upgrade attempt gains nothing here.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /** The {@code n} completion texts of {@code call}. */
    List<String> complete(Call call) throws EndpointCallException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.line(body(call))));
        if (apiKey != null) {
            builder.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<String> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new EndpointCallException(true, "timed out after " + timeout.toSeconds() + " s", -1, e);
        } catch (IOException e) {
            throw new EndpointCallException(true, "request failed: " + e, -1, e);
        }
        int status = response.statusCode();
        if (status != 200) {
            long retryAfter = RetryAfter.millis(response.headers().firstValue("Retry-After").orElse(null),
                    Clock.systemUTC()).orElse(-1);
            throw new EndpointCallException(EndpointCallException.retryableStatus(status),
                    "HTTP " + status + ": " + abbreviate(response.body()), retryAfter, null);
        }
        return texts(response.body(), call.n());
    }

    Map<String, Object> body(Call call) {
        List<Object> content = new ArrayList<>();
        if (call.image() != null) {
            String dataUrl = "data:" + call.imageMimeType() + ";base64,"
                    + Base64.getEncoder().encodeToString(call.image());
            content.add(Map.of("type", "image_url", "image_url", Map.of("url", dataUrl)));
        }
        content.add(Map.of("type", "text", "text", call.question()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("messages", List.of(Map.of("role", "user", "content", content)));
        body.put("n", call.n());
        body.put("temperature", call.temperature());
        body.put("top_p", call.topP());
        // max_tokens, not max_completion_tokens: every OpenAI-compatible server reads it, vLLM included.
        body.put("max_tokens", call.maxTokens());
        if (call.seed() != null) body.put("seed", call.seed());
        return body;
    }

    private static List<String> texts(String body, int n) throws EndpointCallException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new EndpointCallException(true, "body is not JSON: " + abbreviate(body), -1, e);
        }
        JsonNode choices = root.path("choices");
        if (!choices.isArray()) {
            throw new EndpointCallException(true, "no choices in " + abbreviate(body), -1, null);
        }
        if (choices.size() != n) {
            // A server that ignores n answers once: retrying cannot help, the spec must say useN=false.
            throw new EndpointCallException(false, "asked for n=" + n + " completions, the server returned "
                    + choices.size() + " (a server without n needs sampling.endpoint.useN=false)", -1, null);
        }
        String[] texts = new String[n];
        for (int i = 0; i < n; i++) {
            JsonNode choice = choices.get(i);
            int index = choice.path("index").asInt(i);
            JsonNode content = choice.path("message").path("content");
            if (index < 0 || index >= n || texts[index] != null || !content.isTextual()) {
                throw new EndpointCallException(true, "malformed choice " + i + " in " + abbreviate(body), -1, null);
            }
            texts[index] = content.asText();
        }
        return List.of(texts);
    }

    private static String abbreviate(String s) {
        if (s == null) return "";
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }
}
