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
import io.vertx.core.http.ServerWebSocket;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The HTTP front of local mode's API server, on the port clients use. It answers plain requests by handing them to
 * the server's dispatcher in this process (an HTTP hop to the mock server cost about a fifth of the server's CPU in
 * operator-bench), and serves watches from the store's {@link WatchHub} in this process too, in both of
 * kube-apiserver's forms: over a websocket (the Fabric8 client's watches; one JSON event per text message) and as a
 * chunked body of one JSON event per line (what {@code kubectl get -w} reads; when kubectl asks for a Table, each
 * event's object becomes a one-row Table, {@link TablePrinter}). A watch started at a resourceVersion first gets
 * the changes made after it (see {@link WatchHub}).
 */
final class ApiFront implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ApiFront.class);
    /** The websocket subprotocols kube-apiserver's clients offer (channel protocols), accepted here too. */
    private static final List<String> SUBPROTOCOLS = List.of("v1.channel.k8s.io", "v2.channel.k8s.io",
            "v3.channel.k8s.io", "v4.channel.k8s.io", "v5.channel.k8s.io");
    /**
     * The largest websocket frame, in and out: a watch event goes out as one frame up to this size, as kube-apiserver
     * sends each event (one object: etcd keeps objects under 1.5 MiB). Vert.x splits a message into frames of its
     * default 64 KiB, and a Fabric8 7.3 websocket watch stalls for good on a split event that is not its first
     * message (it asks for one frame per message; fabric8io/kubernetes-client#7347, fixed in 7.5). Nothing the server
     * reads comes over a websocket; the bound keeps a client's frame from growing without end.
     */
    static final int MAX_WEBSOCKET_FRAME_BYTES = 64 * 1024 * 1024;

    private final Vertx vertx;
    private final HttpServer server;
    private final Supplier<List<CustomResourceDefinition>> crds;
    private final LocalApiDispatcher dispatcher;
    private final java.util.concurrent.atomic.AtomicInteger openWatches = new java.util.concurrent.atomic.AtomicInteger();
    /** Whether this thread has served a request (set once per thread: the ids below are collected once). */
    private final ThreadLocal<Boolean> serving = ThreadLocal.withInitial(() -> false);
    /** The ids of the threads that have served requests (for operator-bench: the server's share of the CPU). */
    private final Set<Long> servingThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private ApiFront(Vertx vertx, LocalApiDispatcher dispatcher, Supplier<List<CustomResourceDefinition>> crds) {
        this.vertx = vertx;
        this.dispatcher = dispatcher;
        this.crds = crds;
        this.server = vertx.createHttpServer(new HttpServerOptions().setWebSocketSubProtocols(SUBPROTOCOLS)
                .setMaxWebSocketFrameSize(MAX_WEBSOCKET_FRAME_BYTES)).requestHandler(this::handle);
    }

    /** Listens on 127.0.0.1:{@code port} (0: any free port); requests and watches go to {@code dispatcher}. */
    static ApiFront start(int port, LocalApiDispatcher dispatcher, Supplier<List<CustomResourceDefinition>> crds) {
        Vertx vertx = Vertx.vertx();
        ApiFront front = new ApiFront(vertx, dispatcher, crds);
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

    /** The ids of the threads that have served requests or watches so far. */
    Set<Long> servingThreads() {
        return Set.copyOf(servingThreads);
    }

    /** Streamed watches open now (a test waits on it: the watch is established, or its client has gone). */
    int openWatches() {
        return openWatches.get();
    }

    private void handle(HttpServerRequest request) {
        markServing();
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            webSocketWatch(request);
        } else if (request.method() == HttpMethod.GET && isWatch(request.getParam("watch"))) {
            streamWatch(request);
        } else {
            answer(request);
        }
    }

    /** Notes this thread among those doing the server's work (once per thread). */
    private void markServing() {
        if (!serving.get()) {
            serving.set(true);
            servingThreads.add(Thread.currentThread().getId());
        }
    }

    static boolean isWatch(String watchParam) {
        return "true".equalsIgnoreCase(watchParam) || "1".equals(watchParam);
    }

    /**
     * A plain request: answered by the dispatcher, as the mock server would answer it (its status, headers and
     * body); a dispatcher failure is a 500 rather than a request left unanswered. Answered on this event loop,
     * except a request that would wait for the CRDs' validator to be built (CEL compilation, seconds on a loaded
     * machine): that one goes to a worker thread, so that the other requests on the loop are not held up behind it
     * (the operator's start-up list timed out once). Every request on a worker cost about a quarter more server CPU.
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
            if (method == null) {
                response.setStatusCode(405).end(); // a method the server has no handler for (HEAD, OPTIONS)
                return;
            }
            RecordedRequest recorded = new RecordedRequest("HTTP/1.1", method, request.uri(),
                    Headers.builder().addAll(request.headers()).build(),
                    new io.fabric8.mockwebserver.http.Buffer(read.result().getBytes()));
            if (dispatcher.waitsForValidator(recorded)) {
                vertx.<MockResponse>executeBlocking(() -> dispatch(recorded), false)
                        .onComplete(done -> respond(response, done.succeeded() ? done.result()
                                : new MockResponse().setResponseCode(500)));
            } else {
                respond(response, dispatch(recorded));
            }
        });
    }

    private MockResponse dispatch(RecordedRequest request) {
        markServing();
        try {
            MockResponse answer = dispatcher.dispatch(request);
            return answer == null ? new MockResponse().setResponseCode(405) : answer;
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s %s failed", request.getMethod(), request.getPath());
            return new MockResponse().setResponseCode(500);
        }
    }

    private static void respond(HttpServerResponse response, MockResponse answer) {
        if (response.ended() || response.closed()) {
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
    }

    /**
     * A websocket: a watch (the Fabric8 client's), one event per text message. Nothing else is served over a
     * websocket (exec, attach, port-forward: 404, as the mock server answered).
     */
    private void webSocketWatch(HttpServerRequest request) {
        if (request.method() != HttpMethod.GET || !isWatch(request.getParam("watch"))) {
            request.response().setStatusCode(404).end();
            return;
        }
        String uri = request.uri();
        request.toWebSocket().onComplete(accepted -> {
            if (accepted.failed()) {
                return;
            }
            ServerWebSocket socket = accepted.result();
            java.util.concurrent.atomic.AtomicReference<WatchHub.Watch> watch =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Runnable stop = () -> {
                WatchHub.Watch w = watch.getAndSet(null);
                if (w != null) {
                    w.close();
                }
            };
            socket.closeHandler(v -> stop.run());
            socket.exceptionHandler(e -> stop.run());
            WatchHub.Watch opened = dispatcher.watch(uri, socket::writeTextMessage);
            if (opened == null) {
                socket.close();
                return;
            }
            watch.set(opened);
            if (socket.isClosed()) {
                stop.run(); // the client left before the watch opened: its close handler has run already
            }
        });
    }

    /**
     * A streamed watch: kube-apiserver's form (status 200 at once, then one event per line of a chunked body, open
     * until the client goes).
     */
    private void streamWatch(HttpServerRequest request) {
        boolean table = Optional.ofNullable(request.getHeader("Accept")).orElse("").contains("as=Table");
        String path = request.path();
        HttpServerResponse response = request.response();
        response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/json");
        openWatches.incrementAndGet();
        java.util.concurrent.atomic.AtomicBoolean counted = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicReference<WatchHub.Watch> watch =
                new java.util.concurrent.atomic.AtomicReference<>();
        Runnable gone = () -> {
            if (counted.getAndSet(false)) {
                openWatches.decrementAndGet();
            }
            WatchHub.Watch w = watch.getAndSet(null);
            if (w != null) {
                w.close();
            }
        };
        response.closeHandler(v -> gone.run()); // the client stopped watching
        response.endHandler(v -> gone.run());
        // The head goes out now (kubectl waits for it) and nothing else: a Fabric8 HTTP watch reads every line as an
        // event, and a blank line sent to push the head out ended it at once. An empty write sends the head alone.
        response.write(io.vertx.core.buffer.Buffer.buffer());
        WatchHub.Watch opened = dispatcher.watch(request.uri(), event -> {
            if (!response.ended() && !response.closed()) {
                response.write(line(event, path, table));
            }
        });
        if (opened == null) {
            response.end();
            return;
        }
        watch.set(opened);
        if (response.closed()) {
            gone.run();
        }
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
