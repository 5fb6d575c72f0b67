package dev.mmalign.trainer.judge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.genai.Client;
import com.google.genai.errors.ApiException;
import com.google.genai.errors.GenAiIOException;
import com.google.genai.types.ClientOptions;
import com.google.genai.types.Content;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.GenerateContentResponseUsageMetadata;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;
import com.google.genai.types.Part;
import com.google.genai.types.Schema;
import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.trainer.net.RetryAfter;
import okhttp3.OkHttpClient;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gemini on Vertex AI through Google's Gen AI SDK in Vertex mode (the paper's judge). The SDK's own retries are
 * switched off: {@link ResilientJudge} owns retries so that backoff, quarantine and cost accounting stay in one place.
 */
public final class VertexGeminiJudge implements JudgeClient {

    private final Client client;
    private final String model;
    private final RetryAfterHeaders retryAfter = new RetryAfterHeaders();

    /**
     * @param baseUrl null for the public Vertex AI endpoint; else e.g. a private endpoint or a test server
     * @param credentials null for Application Default Credentials (Workload Identity or a mounted key file)
     */
    public VertexGeminiJudge(String project, String location, String model, String baseUrl,
                             GoogleCredentials credentials, int timeoutMillis) {
        HttpOptions.Builder http = HttpOptions.builder()
                .timeout(timeoutMillis)
                // One attempt and no retryable status codes: google-genai 2.0.0 otherwise sleeps its own backoff
                // after a 429/5xx even on its last attempt (RetryInterceptor), which would stack on ours.
                .retryOptions(HttpRetryOptions.builder().attempts(1).httpStatusCodes(List.of()).build());
        if (baseUrl != null && !baseUrl.isBlank()) {
            http.baseUrl(baseUrl);
        }
        // The SDK builds on our client (newBuilder) and adds its own interceptors after ours, so ours sees the final
        // response of every call, headers included.
        OkHttpClient okHttp = new OkHttpClient.Builder().addInterceptor(retryAfter).build();
        Client.Builder builder = Client.builder().vertexAI(true).project(project).location(location)
                .httpOptions(http.build())
                .clientOptions(ClientOptions.builder().customHttpClient(okHttp).build());
        if (credentials != null) {
            builder.credentials(credentials);
        }
        this.client = builder.build();
        this.model = model;
    }

    @Override
    public String name() {
        return "vertex-gemini/" + model;
    }

    @Override
    public JudgeReply call(JudgeRequest request) throws JudgeCallException {
        List<Part> parts = new ArrayList<>();
        if (request.image() != null) {
            parts.add(Part.fromBytes(request.image(), request.imageMimeType()));
        }
        parts.add(Part.fromText(request.user()));
        GenerateContentConfig.Builder config = GenerateContentConfig.builder()
                .temperature((float) request.parameters().temperature());
        // No maxOutputTokens: on Gemini 2.5 it also counts thinking tokens (see JudgeParameters).
        if (request.system() != null) {
            config.systemInstruction(Content.fromParts(Part.fromText(request.system())));
        }
        if (request.format() != null) {
            config.responseMimeType("application/json").responseSchema(schemaOf(request.format()));
        }
        GenerateContentResponse response;
        try {
            response = client.models.generateContent(model, Content.builder().role("user").parts(parts).build(),
                    config.build());
        } catch (ApiException e) {
            long wait = RetryAfter.millis(retryAfter.take(), Clock.systemUTC()).orElse(-1);
            throw new JudgeCallException(JudgeCallException.kindOfStatus(e.code()),
                    "Vertex AI answered HTTP " + e.code() + " " + e.status() + ": " + e.message(), e, wait);
        } catch (GenAiIOException e) {
            // A body that is not JSON (or cut short inside the JSON) is a bad answer; anything else is transport.
            boolean badBody = e.getCause() instanceof JsonProcessingException;
            throw new JudgeCallException(badBody ? JudgeCallException.Kind.MALFORMED : JudgeCallException.Kind.TRANSIENT,
                    e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause().getMessage()), e);
        }
        String text;
        try {
            text = response.text();
        } catch (RuntimeException e) {
            throw new JudgeCallException(JudgeCallException.Kind.MALFORMED, "answer has no usable text: "
                    + e.getMessage(), e);
        }
        long in = 0;
        long out = 0;
        if (response.usageMetadata().isPresent()) {
            GenerateContentResponseUsageMetadata u = response.usageMetadata().get();
            in = u.promptTokenCount().orElse(0);
            // Thinking tokens are billed as output.
            out = u.candidatesTokenCount().orElse(0) + u.thoughtsTokenCount().orElse(0);
        }
        if (text == null || text.isBlank()) {
            throw new JudgeCallException(JudgeCallException.Kind.MALFORMED, "answer has no text (blocked or empty)");
        }
        return new JudgeReply(text, in, out);
    }

    static Schema schemaOf(RatingFormat format) {
        Map<String, Schema> itemProps = new LinkedHashMap<>();
        List<String> itemRequired = new ArrayList<>();
        itemProps.put("response", Schema.builder().type("INTEGER").minimum(1.0).maximum((double) format.responses())
                .build());
        itemRequired.add("response");
        for (HelpSteerAttribute a : format.attributes()) {
            itemProps.put(a.wireName(), Schema.builder().type("INTEGER").minimum(0.0).maximum(4.0).build());
            itemRequired.add(a.wireName());
        }
        Schema item = Schema.builder().type("OBJECT").properties(itemProps).required(itemRequired)
                .propertyOrdering(itemRequired).build();
        Map<String, Schema> props = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        if (format.reasoning()) {
            props.put("reasoning", Schema.builder().type("STRING").build());
            order.add("reasoning");
        }
        props.put("ratings", Schema.builder().type("ARRAY").items(item).build());
        order.add("ratings");
        // propertyOrdering puts the reasoning before the ratings in the generated JSON (chain of thought).
        return Schema.builder().type("OBJECT").properties(props).required(order).propertyOrdering(order).build();
    }
}
