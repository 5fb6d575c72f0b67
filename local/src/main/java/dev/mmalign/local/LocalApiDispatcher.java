package dev.mmalign.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionList;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Front of the embedded API server: answers discovery paths itself ({@link Discovery}) and hands everything else to
 * the Fabric8 CRUD dispatcher (the object store). It also notices when an object really leaves the store (a DELETE
 * without finalizers, or the update that removes the last finalizer of an object marked for deletion) and reports
 * the object's uid, because the mock server has no garbage collector ({@link OwnerGarbageCollector}).
 */
final class LocalApiDispatcher extends Dispatcher {

    private static final Logger LOG = Logger.getLogger(LocalApiDispatcher.class);
    private static final String CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    private final KubernetesCrudDispatcher store = new KubernetesCrudDispatcher();
    private volatile Discovery discovery;
    private volatile Consumer<String> onRemoved = uid -> { };

    void setDiscovery(Discovery discovery) {
        this.discovery = discovery;
    }

    /** Called with the uid of every object that left the store. */
    void setOnRemoved(Consumer<String> onRemoved) {
        this.onRemoved = onRemoved;
    }

    /** The CRDs stored right now, read straight from the store (no HTTP round trip, no recursion). */
    List<CustomResourceDefinition> storedCrds() {
        MockResponse r = store.handleGet(CRD_PATH);
        if (r.code() != 200 || r.getBody() == null) {
            return List.of();
        }
        CustomResourceDefinitionList list =
                Serialization.unmarshal(r.getBody().readUtf8(), CustomResourceDefinitionList.class);
        return list.getItems() == null ? List.of() : list.getItems();
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String path = stripQuery(request.getPath());
        String method = request.getMethod();
        if ("GET".equals(method) && discovery != null) {
            Optional<String> answer = discovery.answer(path);
            if (answer.isPresent()) {
                return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                        .setBody(answer.get());
            }
            if (path.equals("/openapi/v2") || path.startsWith("/openapi/v3")) {
                // No OpenAPI documents: kubectl then validates nothing (use --validate=false) and patches CRs with
                // JSON merge patches. A 404 is what it copes with.
                return new MockResponse().setResponseCode(404);
            }
        }
        if ("GET".equals(method)) {
            // The query matters here: labelSelector, fieldSelector, watch.
            MockResponse response = store.dispatch(request);
            String accept = request.getHeader("Accept");
            if (accept != null && accept.contains("as=Table") && response.code() == 200
                    && !request.getPath().contains("watch=")) {
                Optional<String> table = TablePrinter.table(path, response.getBody().readUtf8(), storedCrds());
                if (table.isPresent()) {
                    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                            .setBody(table.get());
                }
                return store.dispatch(request); // the body was consumed: answer again, untouched
            }
            return response;
        }
        // Writes: drop the query (fieldManager, dryRun, propagationPolicy mean nothing to the store), because the
        // store recognises a status subresource write only by a path that ends in "/status".
        RecordedRequest write = new RecordedRequest(request.getHttpVersion(), request.method(), path,
                request.getHeaders(), request.getBody());
        if ("POST".equals(method)) {
            return store.dispatch(write);
        }
        String before = uidAt(path);
        MockResponse response = store.dispatch(write);
        if (before != null && uidAt(path) == null) {
            LOG.debugf("removed %s (uid %s)", path, before);
            onRemoved.accept(before);
        }
        return response;
    }

    /** The uid of the single object stored at {@code path}, or null when there is none (or it is a list). */
    private String uidAt(String path) {
        try {
            MockResponse r = store.handleGet(path);
            if (r.code() != 200 || r.getBody() == null) {
                return null;
            }
            JsonNode node = Serialization.jsonMapper().readTree(r.getBody().readUtf8());
            if (node.has("items")) {
                return null;
            }
            String uid = node.path("metadata").path("uid").asText("");
            return uid.isEmpty() ? null : uid;
        } catch (Exception e) {
            return null;
        }
    }

    private static String stripQuery(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    @Override
    public void shutdown() {
        store.shutdown();
    }
}
