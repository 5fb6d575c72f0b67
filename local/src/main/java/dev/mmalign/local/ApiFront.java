package dev.mmalign.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketBase;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.jboss.logging.Logger;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The HTTP front of local mode's API server, on the port clients use. It answers plain requests by handing them to
 * the server's dispatcher in this process (an HTTP hop to the mock server cost about a fifth of the server's CPU in
 * operator-bench), streams watches the way kube-apiserver does (a chunked body of one JSON event per line, what
 * {@code kubectl get -w} reads), and passes websocket watches to the Fabric8 mock server behind it, which can answer
 * a watch only over a websocket. A streamed watch is fed by a websocket watch of the same path on the mock server, so both kinds see the
 * same events; when kubectl asks for a Table, each event's object becomes a one-row Table ({@link TablePrinter}).
 *
 * <p>Like the mock server's own watches, a streamed watch sends the changes after it started: objects changed
 * between kubectl's list and its watch are not replayed.
 */
final class ApiFront implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ApiFront.class);
    /** Per-connection headers (RFC 9110 §7.6.1), never forwarded by a proxy. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host");
    /** The websocket handshake's own headers, made anew for the connection behind. */
    private static final Set<String> HANDSHAKE = Set.of("sec-websocket-key", "sec-websocket-version",
            "sec-websocket-extensions", "sec-websocket-protocol", "sec-websocket-accept");
    /** The subprotocols the mock server accepts (MockWebServer), offered by this front too. */
    private static final List<String> SUBPROTOCOLS = List.of("v1.channel.k8s.io", "v2.channel.k8s.io",
            "v3.channel.k8s.io", "v4.channel.k8s.io", "v5.channel.k8s.io");

    private final Vertx vertx;
    private final HttpServer server;
    private final WebSocketClient sockets;
    private final int backendPort;
    private final Supplier<List<CustomResourceDefinition>> crds;
    private final Dispatcher dispatcher;
    private final java.util.concurrent.atomic.AtomicInteger openWatches = new java.util.concurrent.atomic.AtomicInteger();

    private ApiFront(Vertx vertx, int backendPort, Dispatcher dispatcher,
                     Supplier<List<CustomResourceDefinition>> crds) {
        this.vertx = vertx;
        this.backendPort = backendPort;
        this.dispatcher = dispatcher;
        this.crds = crds;
        this.sockets = vertx.createWebSocketClient(new WebSocketClientOptions().setDefaultHost("127.0.0.1")
                .setDefaultPort(backendPort).setMaxConnections(4096));
        this.server = vertx.createHttpServer(new HttpServerOptions().setWebSocketSubProtocols(SUBPROTOCOLS))
                .requestHandler(this::handle);
    }

    /**
     * Listens on 127.0.0.1:{@code port} (0: any free port); plain requests go to {@code dispatcher}, websocket watches
     * to the mock server on {@code backendPort} (which dispatches to the same dispatcher).
     */
    static ApiFront start(int port, int backendPort, Dispatcher dispatcher,
                          Supplier<List<CustomResourceDefinition>> crds) {
        Vertx vertx = Vertx.vertx();
        ApiFront front = new ApiFront(vertx, backendPort, dispatcher, crds);
        try {
            front.server.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port, e);
        }
        return front;
    }

    int port() {
        return server.actualPort();
    }

    /** Streamed watches open now (a test waits on it: the watch is established, or its client has gone). */
    int openWatches() {
        return openWatches.get();
    }

    private void handle(HttpServerRequest request) {
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            proxyWebSocket(request);
        } else if (request.method() == HttpMethod.GET && isWatch(request.getParam("watch"))) {
            streamWatch(request);
        } else {
            answer(request);
        }
    }

    static boolean isWatch(String watchParam) {
        return "true".equalsIgnoreCase(watchParam) || "1".equals(watchParam);
    }

    /**
     * A plain request: answered by the dispatcher on this event loop, as the mock server would answer it (its status,
     * headers and body); a dispatcher failure is a 500 rather than a request left unanswered.
     */
    private void answer(HttpServerRequest request) {
        request.body().onComplete(read -> {
            HttpServerResponse response = request.response();
            if (read.failed()) {
                if (!response.ended() && !response.closed()) {
                    response.setStatusCode(400).end();
                }
                return;
            }
            var method = io.fabric8.mockwebserver.dsl.HttpMethod.fromVertx(request.method());
            MockResponse answer;
            try {
                answer = method == null ? null : dispatcher.dispatch(new RecordedRequest("HTTP/1.1", method,
                        request.uri(), Headers.builder().addAll(request.headers()).build(),
                        new io.fabric8.mockwebserver.http.Buffer(read.result().getBytes())));
            } catch (RuntimeException e) {
                LOG.errorf(e, "%s %s failed", request.method(), request.uri());
                answer = new MockResponse().setResponseCode(500);
            }
            if (response.ended() || response.closed()) {
                return;
            }
            if (answer == null) {
                response.setStatusCode(405).end(); // a method the server has no handler for (HEAD, OPTIONS)
                return;
            }
            response.setStatusCode(answer.code());
            MultiMap headers = response.headers();
            answer.getHeaders().toMultimap().forEach(headers::add);
            if (answer.getBody() != null && answer.getBody().size() > 0) {
                response.end(io.vertx.core.buffer.Buffer.buffer(answer.getBody().getBytes()));
            } else {
                response.end();
            }
        });
    }

    /** A websocket (the Fabric8 client's watches): a second websocket to the mock server, frames relayed. */
    private void proxyWebSocket(HttpServerRequest request) {
        request.pause();
        WebSocketConnectOptions options = new WebSocketConnectOptions().setURI(request.uri());
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        copyHeaders(request.headers(), headers, union(HOP_BY_HOP, HANDSHAKE));
        options.setHeaders(headers);
        String protocols = request.getHeader("Sec-WebSocket-Protocol");
        if (protocols != null) {
            options.setSubProtocols(Arrays.stream(protocols.split(",")).map(String::trim).toList());
        }
        sockets.connect(options).onComplete(connected -> {
            if (connected.failed()) {
                request.resume();
                request.response().setStatusCode(502).end();
                return;
            }
            WebSocket back = connected.result();
            request.toWebSocket().onComplete(accepted -> {
                if (accepted.failed()) {
                    back.close();
                    return;
                }
                relay(accepted.result(), back);
                relay(back, accepted.result());
            });
        });
    }

    private static void relay(WebSocketBase from, WebSocketBase to) {
        from.textMessageHandler(to::writeTextMessage);
        from.binaryMessageHandler(to::writeBinaryMessage);
        from.closeHandler(v -> {
            if (!to.isClosed()) {
                to.close();
            }
        });
        from.exceptionHandler(e -> {
            if (!to.isClosed()) {
                to.close();
            }
        });
    }

    /**
     * A streamed watch: kube-apiserver's form (status 200 at once, then one event per line of a chunked body, open
     * until the client goes), fed by a websocket watch of the same path on the mock server.
     */
    private void streamWatch(HttpServerRequest request) {
        request.pause();
        boolean table = Optional.ofNullable(request.getHeader("Accept")).orElse("").contains("as=Table");
        String path = request.path();
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        copyHeaders(request.headers(), headers, union(union(HOP_BY_HOP, HANDSHAKE), Set.of("accept")));
        WebSocketConnectOptions options = new WebSocketConnectOptions().setURI(request.uri()).setHeaders(headers);
        sockets.connect(options).onComplete(connected -> {
            HttpServerResponse response = request.response();
            request.resume();
            if (connected.failed()) {
                response.setStatusCode(502).end();
                return;
            }
            WebSocket back = connected.result();
            response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/json");
            openWatches.incrementAndGet();
            java.util.concurrent.atomic.AtomicBoolean counted = new java.util.concurrent.atomic.AtomicBoolean(true);
            Runnable gone = () -> {
                if (counted.getAndSet(false)) {
                    openWatches.decrementAndGet();
                }
            };
            response.closeHandler(v -> { // the client stopped watching
                gone.run();
                back.close();
            });
            response.endHandler(v -> gone.run());
            back.textMessageHandler(event -> {
                if (!response.ended() && !response.closed()) {
                    response.write(line(event, path, table));
                }
            });
            back.closeHandler(v -> {
                if (!response.ended() && !response.closed()) {
                    response.end();
                }
            });
            response.write("\n"); // sends the head now: kubectl waits for it; a JSON stream skips blank lines
        });
    }

    /** One event as a line of the stream; its object a one-row Table when the client asked for Tables. */
    private String line(String event, String path, boolean table) {
        if (!table) {
            return event.strip() + "\n";
        }
        try {
            JsonNode node = Serialization.jsonMapper().readTree(event);
            JsonNode object = node.path("object");
            if (!"ERROR".equals(node.path("type").asText()) && object.isObject()) {
                Optional<String> row = TablePrinter.table(path, object.toString(), crds.get());
                if (row.isPresent()) {
                    ((ObjectNode) node).set("object", Serialization.jsonMapper().readTree(row.get()));
                }
            }
            return node.toString() + "\n";
        } catch (java.io.IOException e) {
            return event.strip() + "\n";
        }
    }

    private static void copyHeaders(MultiMap from, MultiMap to, Set<String> skipped) {
        from.forEach((name, value) -> {
            if (!skipped.contains(name.toLowerCase(Locale.ROOT))) {
                to.add(name, value);
            }
        });
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).collect(java.util.stream.Collectors.toSet());
    }

    @Override
    public void close() {
        CompletableFuture<Void> closed = vertx.close().toCompletionStage().toCompletableFuture();
        try {
            closed.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debugf(e, "closing the API front");
        }
    }
}
