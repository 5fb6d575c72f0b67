package dev.mmalign.trainer.annotate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mmalign.trainer.data.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A judge server on 127.0.0.1 speaking Vertex AI's {@code :generateContent} REST shape (and OpenAI's
 * {@code /chat/completions}). By default it answers every request with valid ratings for as many responses as the
 * request lists; scripted faults are served first, in order: HTTP errors, slow answers, truncated or non-JSON bodies,
 * and answer texts of the test's choosing.
 */
public final class FakeJudgeServer implements AutoCloseable {

    /** One scripted reply. */
    public record Fault(int status, String body, long delayMillis, boolean truncate, String answerText,
                        String retryAfter) {
        public static Fault status(int status) {
            return statusWithRetryAfter(status, null);
        }

        /** An HTTP error with a {@code Retry-After} header (delay-seconds or an HTTP-date). */
        public static Fault statusWithRetryAfter(int status, String retryAfter) {
            return new Fault(status, "{\"error\":{\"code\":" + status + ",\"message\":\"scripted\",\"status\":\"X\"}}",
                    0, false, null, retryAfter);
        }

        public static Fault slow(long millis) {
            return new Fault(200, null, millis, false, null, null);
        }

        public static Fault rawBody(String body) {
            return new Fault(200, body, 0, false, null, null);
        }

        public static Fault truncated() {
            return new Fault(200, null, 0, true, null, null);
        }

        /** A well-formed HTTP answer whose model text is {@code text}. */
        public static Fault answer(String text) {
            return new Fault(200, null, 0, false, text, null);
        }
    }

    private static final Pattern RESPONSE = Pattern.compile("Response (\\d+):");
    /** Path of the OAuth token endpoint named in {@link #serviceAccountKey()}. */
    public static final String TOKEN_PATH = "/token";
    /** The access token the token endpoint hands out. */
    public static final String ACCESS_TOKEN = "ya29.fake-access-token";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Deque<Fault> script = new ArrayDeque<>();
    public final List<String> paths = Collections.synchronizedList(new ArrayList<>());
    public final List<JsonNode> bodies = Collections.synchronizedList(new ArrayList<>());
    public final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    public final AtomicInteger requests = new AtomicInteger();
    /** Form bodies posted to the token endpoint. */
    public final List<String> tokenRequests = Collections.synchronizedList(new ArrayList<>());
    /** Rating every default answer gives, per response index (1-based), cycling. */
    public volatile int[] helpfulness = {4, 1, 3, 0};
    public volatile int promptTokens = 1000;
    public volatile int outputTokens = 200;
    /** When set, every unscripted answer has this text (benchmark judging) instead of ratings. */
    public volatile String defaultAnswer;
    /** When set: the answer to a free-text OpenAI-style request (no response_format), e.g. a gold-answer request. */
    public volatile java.util.function.Function<JsonNode, String> freeTextAnswer;

    public FakeJudgeServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public synchronized FakeJudgeServer then(Fault fault, int times) {
        for (int i = 0; i < times; i++) script.add(fault);
        return this;
    }

    private synchronized Fault nextFault() {
        return script.poll();
    }

    /**
     * A Google service-account key file (JSON, with a fresh RSA key) whose token endpoint is this server: Google's
     * auth library signs a JWT with the key, posts it to {@code /token} and sends the access token it gets back.
     */
    public String serviceAccountKey() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        ObjectNode key = Json.MAPPER.createObjectNode();
        key.put("type", "service_account").put("project_id", "p").put("private_key_id", "k1")
                .put("private_key", pem).put("client_email", "judge@p.iam.gserviceaccount.com")
                .put("client_id", "1").put("token_uri", baseUrl() + TOKEN_PATH);
        return key.toString();
    }

    /** Google's OAuth token endpoint: a JWT-bearer grant in, an access token out. */
    private void token(HttpExchange exchange) throws IOException {
        try {
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            tokenRequests.add(form);
            ObjectNode answer = Json.MAPPER.createObjectNode();
            answer.put("access_token", ACCESS_TOKEN).put("expires_in", 3600).put("token_type", "Bearer");
            send(exchange, 200, answer.toString(), false);
        } finally {
            exchange.close();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        if (exchange.getRequestURI().getPath().equals(TOKEN_PATH)) {
            token(exchange);
            return;
        }
        requests.incrementAndGet();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        JsonNode json = Json.MAPPER.readTree(body);
        paths.add(exchange.getRequestURI().getPath());
        bodies.add(json);
        authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
        boolean openAi = exchange.getRequestURI().getPath().endsWith("/chat/completions");
        Fault fault = nextFault();
        try {
            if (fault != null && fault.delayMillis() > 0) {
                Thread.sleep(fault.delayMillis());
            }
            if (fault != null && fault.status() != 200) {
                if (fault.retryAfter() != null) {
                    exchange.getResponseHeaders().add("Retry-After", fault.retryAfter());
                }
                send(exchange, fault.status(), fault.body(), false);
                return;
            }
            if (fault != null && fault.body() != null) {
                send(exchange, 200, fault.body(), false);
                return;
            }
            java.util.function.Function<JsonNode, String> freeText = freeTextAnswer;
            String text = fault != null && fault.answerText() != null ? fault.answerText()
                    : freeText != null && openAi && !json.has("response_format") ? freeText.apply(json)
                    : defaultAnswer != null ? defaultAnswer : ratingsFor(body);
            String answer = openAi ? openAiBody(text) : vertexBody(text);
            send(exchange, 200, answer, fault != null && fault.truncate());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client gave up (timeout): nothing to answer
        } finally {
            exchange.close();
        }
    }

    private static void send(HttpExchange exchange, int status, String body, boolean truncate) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        if (truncate) {
            // Announce the full length, send half, close: the client sees the stream end early.
            exchange.sendResponseHeaders(status, bytes.length);
            OutputStream out = exchange.getResponseBody();
            out.write(bytes, 0, bytes.length / 2);
            out.flush();
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Valid ratings for every "Response N:" in the request. */
    private String ratingsFor(String requestBody) {
        Matcher m = RESPONSE.matcher(requestBody);
        int n = 0;
        while (m.find()) n = Math.max(n, Integer.parseInt(m.group(1)));
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("reasoning", "Looked at the image; response 1 is right.");
        ArrayNode ratings = answer.putArray("ratings");
        for (int i = 1; i <= n; i++) {
            int h = helpfulness[(i - 1) % helpfulness.length];
            ratings.addObject().put("response", i).put("helpfulness", h).put("correctness", h).put("coherence", h)
                    .put("complexity", 2).put("verbosity", 2);
        }
        return answer.toString();
    }

    private String vertexBody(String text) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode candidate = root.putArray("candidates").addObject();
        candidate.putObject("content").put("role", "model").putArray("parts").addObject().put("text", text);
        candidate.put("finishReason", "STOP");
        root.putObject("usageMetadata").put("promptTokenCount", promptTokens).put("candidatesTokenCount", outputTokens)
                .put("totalTokenCount", promptTokens + outputTokens);
        return root.toString();
    }

    private String openAiBody(String text) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.putArray("choices").addObject().put("index", 0).putObject("message").put("role", "assistant")
                .put("content", text);
        root.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", outputTokens);
        return root.toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
