package dev.mmalign.trainer.sample;

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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * An OpenAI-compatible server on 127.0.0.1 answering {@code POST /v1/chat/completions} as vLLM does: {@code n} choices
 * whose texts name the question, the choice index and the seed. Scripted HTTP errors (with an optional Retry-After)
 * are served first, in order; requests whose body matches {@link #failWhen} always get a 500.
 */
final class FakeChatCompletionsServer implements AutoCloseable {

    static final String PATH = "/v1/chat/completions";

    private record Fault(int status, String retryAfter) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Deque<Fault> script = new ArrayDeque<>();
    final List<JsonNode> bodies = Collections.synchronizedList(new ArrayList<>());
    final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    /** Requests (by body) that always fail with HTTP 500. */
    volatile Predicate<JsonNode> failWhen = body -> false;
    /** Choices returned whatever n asks (a server without n); 0 = as asked. */
    volatile int fixedChoices;
    /** Called with each body before it is answered (a test stops the stage mid-run with it). */
    volatile java.util.function.Consumer<JsonNode> onRequest = body -> {};

    FakeChatCompletionsServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base URL a spec names; the client appends /chat/completions. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    synchronized FakeChatCompletionsServer thenStatus(int status, String retryAfter) {
        script.add(new Fault(status, retryAfter));
        return this;
    }

    private synchronized Fault nextFault() {
        return script.poll();
    }

    static String question(JsonNode body) {
        JsonNode content = body.path("messages").path(0).path("content");
        return content.path(content.size() - 1).path("text").asText();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            if (!"POST".equals(exchange.getRequestMethod()) || !PATH.equals(exchange.getRequestURI().getPath())) {
                send(exchange, 404, "{\"error\":{\"message\":\"not found\"}}", null);
                return;
            }
            JsonNode body = Json.MAPPER.readTree(exchange.getRequestBody());
            bodies.add(body);
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            onRequest.accept(body);
            Fault fault = nextFault();
            if (fault == null && failWhen.test(body)) fault = new Fault(500, null);
            if (fault != null) {
                send(exchange, fault.status(), "{\"error\":{\"message\":\"scripted " + fault.status() + "\"}}",
                        fault.retryAfter());
                return;
            }
            int n = fixedChoices > 0 ? fixedChoices : body.path("n").asInt(1);
            ObjectNode answer = Json.MAPPER.createObjectNode();
            answer.put("id", "chatcmpl-fake").put("object", "chat.completion")
                    .put("model", body.path("model").asText());
            ArrayNode choices = answer.putArray("choices");
            // Answered in reverse index order: the client must place choices by their index.
            for (int i = n - 1; i >= 0; i--) {
                ObjectNode choice = choices.addObject();
                choice.put("index", i).put("finish_reason", "stop");
                choice.putObject("message").put("role", "assistant").put("content",
                        "answer to " + question(body) + " #" + i + " seed " + body.path("seed").asText("none"));
            }
            answer.putObject("usage").put("prompt_tokens", 600).put("completion_tokens", 20 * n);
            send(exchange, 200, answer.toString(), null);
        } finally {
            exchange.close();
        }
    }

    private static void send(HttpExchange exchange, int status, String body, String retryAfter) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        if (retryAfter != null) exchange.getResponseHeaders().add("Retry-After", retryAfter);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
