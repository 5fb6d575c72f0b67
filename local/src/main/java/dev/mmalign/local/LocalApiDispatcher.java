package dev.mmalign.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionList;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Front of the embedded API server: answers discovery paths and the CRDs' OpenAPI v3 documents itself
 * ({@link Discovery}, {@link OpenApiDocuments}), admits writes of custom resources as kube-apiserver does
 * ({@link CustomResourceAdmission}: patch applied, pruned, defaulted, validated; 422 when invalid), answers a status
 * PUT with a stale resourceVersion with 409 as kube-apiserver does (the store would not), applies
 * {@code fieldSelector} to lists ({@link FieldSelector}), and hands everything else to the object store (the
 * Fabric8 CRUD store with indexes, {@link IndexedStore}), which also serves watches and reports the uid of each object
 * that leaves it, because the mock server has no garbage collector ({@link OwnerGarbageCollector}).
 */
final class LocalApiDispatcher extends Dispatcher {

    private static final Logger LOG = Logger.getLogger(LocalApiDispatcher.class);
    private static final String CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    private final IndexedStore store = new IndexedStore();
    private final CustomResourceAdmission admission = new CustomResourceAdmission(this::storedCrdList);
    /** Builds queued on {@link #validatorBuilder}, not yet started. */
    private final java.util.concurrent.atomic.AtomicInteger validatorBuilds = new java.util.concurrent.atomic.AtomicInteger();
    /** Builds the validator after CRD writes (one daemon thread, idle otherwise). */
    private final java.util.concurrent.ExecutorService validatorBuilder =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "mmalign-local-admission");
                t.setDaemon(true);
                return t;
            });
    private volatile Discovery discovery;
    /** Takes the mock server's own copy of a request (it keeps every request, body included, until taken). */
    private volatile Runnable forgetRecorded = () -> { };
    /** "METHOD path?query" of each request since recording started, or null when not recording. */
    private volatile java.util.Queue<String> requestLines;

    void setDiscovery(Discovery discovery) {
        this.discovery = discovery;
    }

    /**
     * Called once per request: the mock server queues each request it receives before dispatching it and keeps
     * them all until taken, so each dispatch takes one off; the queue then holds only requests in flight.
     */
    void setForgetRecorded(Runnable forgetRecorded) {
        this.forgetRecorded = forgetRecorded;
    }

    /** From now on, keeps each request's method and path (no body) for {@link #takeRequestLines()}. */
    void recordRequestLines() {
        if (requestLines == null) {
            requestLines = new java.util.concurrent.ConcurrentLinkedQueue<>();
        }
    }

    /** The requests recorded since the last call (none unless {@link #recordRequestLines()} was called). */
    List<String> takeRequestLines() {
        java.util.Queue<String> lines = requestLines;
        List<String> out = new java.util.ArrayList<>();
        if (lines != null) {
            String line;
            while ((line = lines.poll()) != null) {
                out.add(line);
            }
        }
        return out;
    }

    /**
     * Called with the uid of every object that left the store (a DELETE without finalizers, the write that removes
     * the last finalizer of an object marked for deletion, a collection DELETE), from inside the store's write:
     * hand it on, do not call back.
     */
    void setOnRemoved(Consumer<String> onRemoved) {
        store.setOnRemoved(onRemoved);
    }

    /** The stored objects that name {@code ownerUid} among their owners (JSON, as stored). */
    List<String> dependentsOf(String ownerUid) {
        return store.dependentsOf(ownerUid);
    }

    /**
     * Opens a watch (a GET with {@code watch=true}: path, selectors, resourceVersion); its events, one JSON object
     * each, go to {@code sink}. Null when it cannot be served: the sink got one ERROR event, end the stream.
     */
    WatchHub.Watch watch(String pathAndQuery, Consumer<String> sink) {
        java.util.Queue<String> lines = requestLines;
        if (lines != null) {
            lines.add("GET " + pathAndQuery);
        }
        return store.watch(pathAndQuery, sink);
    }

    /**
     * The stored CRDs as last read from the store, with the count of CRD writes at the time. Discovery reads them on
     * every GET and admission on every write: read from the store and parsed each time (schemas of hundreds of KB),
     * they made up about half of the server's CPU time in operator-bench.
     */
    private record CrdSnapshot(long writes, List<CustomResourceDefinition> crds, JsonNode list) {}

    /** Writes of CRDs so far, counted after each is stored (a snapshot older than the count is read again). */
    private final java.util.concurrent.atomic.AtomicLong crdWrites = new java.util.concurrent.atomic.AtomicLong();
    private volatile CrdSnapshot crdSnapshot;

    /** The CRDs stored right now (read from the store only after a CRD changed; no HTTP round trip). */
    List<CustomResourceDefinition> storedCrds() {
        return crds().crds();
    }

    /** The stored CRDs as a JSON list (shared: callers must not modify it). */
    private JsonNode storedCrdList() {
        return crds().list();
    }

    private CrdSnapshot crds() {
        CrdSnapshot seen = crdSnapshot;
        long writes = crdWrites.get();
        if (seen != null && seen.writes() == writes) {
            return seen;
        }
        MockResponse r = store.handleGet(CRD_PATH);
        JsonNode list;
        try {
            list = r.code() == 200 && r.getBody() != null
                    ? Serialization.jsonMapper().readTree(r.getBody().readUtf8())
                    : Serialization.jsonMapper().createObjectNode();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        CustomResourceDefinitionList typed = list.has("items")
                ? Serialization.jsonMapper().convertValue(list, CustomResourceDefinitionList.class) : null;
        List<CustomResourceDefinition> crds = typed == null || typed.getItems() == null ? List.of()
                : List.copyOf(typed.getItems());
        CrdSnapshot now = new CrdSnapshot(writes, crds, list);
        crdSnapshot = now;
        return now;
    }

    /**
     * Whether answering this request may first have to build the CRDs' validator, which can take seconds: a write
     * under /apis/ while the validator of the CRDs stored now is not built yet.
     */
    boolean waitsForValidator(RecordedRequest request) {
        String method = request.getMethod();
        String path = request.getPath();
        return ("POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method))
                && path.startsWith("/apis/") && !stripQuery(path).endsWith("/status") && !admission.ready();
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        forgetRecorded.run();
        java.util.Queue<String> lines = requestLines;
        if (lines != null) {
            lines.add(request.getMethod() + " " + request.getPath());
        }
        String path = stripQuery(request.getPath());
        String method = request.getMethod();
        if ("GET".equals(method) && discovery != null) {
            Optional<String> answer = discovery.answer(path);
            if (answer.isPresent()) {
                return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                        .setBody(answer.get());
            }
            if (path.startsWith("/openapi/v3")) {
                Optional<String> doc = OpenApiDocuments.answer(path, storedCrdList());
                if (doc.isPresent()) {
                    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                            .setBody(doc.get());
                }
                return new MockResponse().setResponseCode(404);
            }
            if (path.equals("/openapi/v2")) {
                // No OpenAPI v2: kubectl's client-side validation then fails (use --validate=false).
                return new MockResponse().setResponseCode(404);
            }
        }
        if ("GET".equals(method)) {
            return get(request, path);
        }
        // Writes: drop the query (fieldManager, dryRun, propagationPolicy mean nothing to the store), because the
        // store recognises a status subresource write only by a path that ends in "/status".
        byte[] raw = request.getBody() == null ? new byte[0] : request.getBody().readByteArray();
        RecordedRequest write = new RecordedRequest(request.getHttpVersion(), request.method(), path,
                request.getHeaders(), new io.fabric8.mockwebserver.http.Buffer(raw));
        if ("PUT".equals(method) && path.endsWith("/status") && staleResourceVersion(path, raw)) {
            return new MockResponse().setResponseCode(409).setHeader("Content-Type", "application/json")
                    .setBody(CustomResourceAdmission.status(409, "Conflict", "Operation cannot be fulfilled on "
                            + path + ": the object has been modified; please apply your changes to the latest"
                            + " version and try again", null, null, List.of()));
        }
        List<String> warnings = List.of();
        if (("POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method))
                && path.startsWith("/apis/") && !path.endsWith("/status")) {
            JsonNode current = "POST".equals(method) ? null : objectAt(path);
            Optional<CustomResourceAdmission.Decision> decision;
            try {
                decision = admission.admit(new String(raw, java.nio.charset.StandardCharsets.UTF_8),
                        "PATCH".equals(method) ? request.getHeader("Content-Type") : null, current,
                        queryParam(request.getPath(), "fieldValidation"));
            } catch (RuntimeException | LinkageError e) {
                // Answer, so that the client does not wait for a response that never comes (the mock server
                // sends none when the dispatcher throws).
                LOG.errorf(e, "validation of %s %s failed", method, path);
                return new MockResponse().setResponseCode(500).setHeader("Content-Type", "application/json")
                        .setBody(CustomResourceAdmission.status(500, "InternalError",
                                "validation failed: " + e, null, null, List.of()));
            }
            if (decision.isPresent() && !decision.get().admitted()) {
                return new MockResponse().setResponseCode(decision.get().code())
                        .setHeader("Content-Type", "application/json").setBody(decision.get().status());
            }
            if (decision.isPresent()) {
                // Store what was admitted (pruned, defaulted; a patch already applied) as a create or a replace.
                io.fabric8.mockwebserver.http.Buffer body = new io.fabric8.mockwebserver.http.Buffer(
                        decision.get().object().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                write = new RecordedRequest(request.getHttpVersion(),
                        "POST".equals(method) ? request.method() : io.fabric8.mockwebserver.dsl.HttpMethod.PUT,
                        path, request.getHeaders(), body);
                warnings = decision.get().warnings();
            }
        }
        if ("POST".equals(method)) {
            MockResponse created = withWarnings(store.dispatch(write), warnings);
            countCrdWrite(path);
            return created;
        }
        MockResponse response = withWarnings(store.dispatch(write), warnings);
        countCrdWrite(path);
        return response;
    }

    /** A read: fieldSelector applied here (the store ignores it), and a Table when kubectl asks for one. */
    private MockResponse get(RecordedRequest request, String path) {
        String selector = request.getPath().contains("watch=") ? null
                : queryParam(request.getPath(), "fieldSelector");
        MockResponse response = store.dispatch(selector == null ? request
                : new RecordedRequest(request.getHttpVersion(), request.method(),
                        withoutParam(request.getPath(), "fieldSelector"), request.getHeaders(), request.getBody()));
        if (response.code() != 200 || response.getBody() == null) {
            return response;
        }
        String accept = request.getHeader("Accept");
        boolean table = accept != null && accept.contains("as=Table") && !request.getPath().contains("watch=");
        if (selector == null && !table) {
            return response;
        }
        String body = response.getBody().readUtf8();
        if (selector != null) {
            try {
                JsonNode list = Serialization.jsonMapper().readTree(body);
                if (list.has("items")) {
                    body = withListKind(path, FieldSelector.parse(selector).filter(list)).toString();
                }
            } catch (IllegalArgumentException e) {
                return new MockResponse().setResponseCode(400).setHeader("Content-Type", "application/json")
                        .setBody(CustomResourceAdmission.status(400, "BadRequest", e.getMessage(), null, null,
                                List.of()));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        if (table) {
            Optional<String> printed = TablePrinter.table(path, body, storedCrds());
            if (printed.isPresent()) {
                body = printed.get();
            }
        }
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json").setBody(body);
    }

    /**
     * The store calls every list "List"; kube-apiserver calls it "EventList", "PodList", ... and typed clients
     * (kubectl describe reading Events) refuse anything else.
     */
    private JsonNode withListKind(String path, JsonNode list) {
        if (!"List".equals(list.path("kind").asText())) {
            return list;
        }
        String plural = path.substring(path.lastIndexOf('/') + 1);
        String kind = list.path("items").path(0).path("kind").asText("");
        if (kind.isEmpty() && discovery != null) {
            kind = discovery.servedResources().stream().filter(r -> r.plural().equals(plural))
                    .map(Discovery.ServedResource::kind).findFirst().orElse("");
        }
        if (!kind.isEmpty()) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) list).put("kind", kind + "List");
        }
        return list;
    }

    /**
     * After a write to a CRD path: the cached CRDs are read again on next use, and the validator of the new CRDs is
     * built now, in the background, so that the first custom resource written does not wait for it.
     */
    private void countCrdWrite(String path) {
        if (path.startsWith(CRD_PATH)) {
            crdWrites.incrementAndGet();
            validatorBuilds.incrementAndGet();
            validatorBuilder.execute(() -> {
                if (validatorBuilds.decrementAndGet() > 0) {
                    return; // more CRDs are being written (an install): the last one's task builds it once
                }
                try {
                    admission.validator();
                } catch (RuntimeException | LinkageError e) {
                    LOG.debugf(e, "building the CRDs' validator ahead of use"); // the first write reports it
                }
            });
        }
    }

    private static MockResponse withWarnings(MockResponse response, List<String> warnings) {
        for (String w : warnings) {
            response.addHeader("Warning", "299 - \"" + w.replace("\"", "\\\"") + "\"");
        }
        return response;
    }

    /**
     * Whether a status PUT carries a resourceVersion other than the stored one. kube-apiserver answers that with 409
     * (optimistic locking); the store would replace the status anyway, since it keeps the stored metadata on a
     * status write, and a writer relying on the lock (the operator's) would overwrite a pod's newer progress.
     */
    private boolean staleResourceVersion(String statusPath, byte[] body) {
        try {
            String sent = Serialization.jsonMapper().readTree(body).path("metadata").path("resourceVersion")
                    .asText("");
            if (sent.isEmpty()) {
                return false; // no precondition: last write wins, as on a real server
            }
            JsonNode stored = objectAt(statusPath.substring(0, statusPath.length() - "/status".length()));
            return stored != null && !sent.equals(stored.path("metadata").path("resourceVersion").asText(""));
        } catch (java.io.IOException e) {
            return false; // not JSON: the store answers it
        }
    }

    /** The object stored at {@code path}, or null. */
    private JsonNode objectAt(String path) {
        MockResponse r = store.handleGet(path);
        if (r.code() != 200 || r.getBody() == null) {
            return null;
        }
        try {
            return Serialization.jsonMapper().readTree(r.getBody().readUtf8());
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** The decoded value of a query parameter, or null. */
    static String queryParam(String pathAndQuery, String name) {
        int q = pathAndQuery.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String pair : pathAndQuery.substring(q + 1).split("&")) {
            if (pair.startsWith(name + "=")) {
                return java.net.URLDecoder.decode(pair.substring(name.length() + 1),
                        java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static String withoutParam(String pathAndQuery, String name) {
        int q = pathAndQuery.indexOf('?');
        if (q < 0) {
            return pathAndQuery;
        }
        List<String> kept = java.util.Arrays.stream(pathAndQuery.substring(q + 1).split("&"))
                .filter(p -> !p.startsWith(name + "=")).toList();
        return pathAndQuery.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
    }

    private static String stripQuery(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    @Override
    public void shutdown() {
        validatorBuilder.shutdownNow();
        store.shutdown();
    }
}
