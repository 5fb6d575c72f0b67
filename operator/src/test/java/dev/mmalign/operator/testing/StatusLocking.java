package dev.mmalign.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.Mmalign;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.DefaultMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.io.IOException;
import java.lang.reflect.Field;

/**
 * Makes the mock API server answer a status PUT of one of our custom resources that carries a stale resourceVersion
 * with 409 Conflict, as kube-apiserver does (built-in kinds are left as the mock has them: the tests' kubelet
 * writes Job status by read-modify-write without retrying). The Fabric8 mock keeps the stored metadata on a status write and so never conflicts there;
 * without this, a test could not tell a status writer that relies on optimistic locking from one that overwrites a
 * pod's concurrent progress report. Installed in front of the test server's dispatcher (which Quarkus builds; no
 * hook replaces it, hence the reflection).
 */
final class StatusLocking extends Dispatcher {

    private final Dispatcher store;

    private StatusLocking(Dispatcher store) {
        this.store = store;
    }

    /** Puts the check in front of {@code server}'s dispatcher, once. */
    static void install(KubernetesMockServer server) {
        try {
            Field serverField = DefaultMockServer.class.getDeclaredField("server");
            serverField.setAccessible(true);
            MockWebServer web = (MockWebServer) serverField.get(server);
            Field dispatcherField = MockWebServer.class.getDeclaredField("dispatcher");
            dispatcherField.setAccessible(true);
            synchronized (web) {
                Dispatcher current = (Dispatcher) dispatcherField.get(web);
                if (!(current instanceof StatusLocking)) {
                    web.setDispatcher(new StatusLocking(current));
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot install the status locking check in the mock server", e);
        }
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        if ("GET".equals(request.getMethod())) {
            return store.dispatch(request);
        }
        synchronized (this) { // the check and the write it guards, with no other write between them
            String path = request.getPath();
            int q = path.indexOf('?');
            String bare = q < 0 ? path : path.substring(0, q);
            if (!"PUT".equals(request.getMethod()) || !bare.endsWith("/status")
                    || !bare.startsWith("/apis/" + Mmalign.GROUP + "/")) {
                return store.dispatch(request);
            }
            byte[] body = request.getBody() == null ? new byte[0] : request.getBody().getBytes();
            String sent = resourceVersion(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            if (!sent.isEmpty()) {
                String objectPath = bare.substring(0, bare.length() - "/status".length());
                MockResponse stored = store.dispatch(new RecordedRequest(request.getHttpVersion(), HttpMethod.GET,
                        objectPath, request.getHeaders(), new Buffer()));
                if (stored.code() == 200 && stored.getBody() != null) {
                    String current = resourceVersion(stored.getBody().readUtf8());
                    if (!current.equals(sent)) {
                        return new MockResponse().setResponseCode(409).setHeader("Content-Type", "application/json")
                                .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                                        + "\"reason\":\"Conflict\",\"code\":409,\"message\":\"the object has been"
                                        + " modified; please apply your changes to the latest version and try"
                                        + " again\"}");
                    }
                }
            }
            return store.dispatch(new RecordedRequest(request.getHttpVersion(), request.method(), path,
                    request.getHeaders(), new Buffer(body)));
        }
    }

    private static String resourceVersion(String json) {
        try {
            JsonNode node = Serialization.jsonMapper().readTree(json);
            return node == null ? "" : node.path("metadata").path("resourceVersion").asText("");
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void shutdown() {
        store.shutdown();
    }
}
