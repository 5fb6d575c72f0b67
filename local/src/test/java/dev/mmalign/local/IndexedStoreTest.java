package dev.mmalign.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards that the indexed store answers exactly as the Fabric8 store it indexes: the same fixed-seed sequence of
 * creates, updates (labels changed, added, removed), merge patches, deletes (with and without finalizers) and
 * finalizer removals is sent to both, and every answer is compared (status code and body, uids and creation times
 * aside, which are random or the clock's): GETs of one object (present or not), lists per kind, per namespace and
 * across namespaces, lists by label selector (=, ==, !=, exists, !exists, several requirements) and by
 * {@code metadata.name} field selector, in the store's order; and DELETEs (answered from the index here).
 */
class IndexedStoreTest {

    private static final List<String> KINDS = List.of("configmaps", "secrets", "serviceaccounts");
    private static final List<String> NAMESPACES = List.of("default", "team");
    private static final List<String> NAMES = List.of("a", "b", "c", "d", "e", "f");
    private static final List<String> APPS = List.of("x", "y", "z");

    @Test
    void answersEveryRequestAsTheStoreItIndexes() {
        KubernetesCrudDispatcher plain = new KubernetesCrudDispatcher();
        IndexedStore indexed = new IndexedStore();
        Random random = new Random(14);
        Map<String, Integer> plainVersions = new HashMap<>();
        Map<String, Integer> indexedVersions = new HashMap<>();
        int compared = 0;
        int found = 0;
        for (int step = 0; step < 1500; step++) {
            RecordedRequest request = randomRequest(random);
            // Each request is built twice: the store reads a request's body once.
            MockResponse expected = plain.dispatch(copy(request));
            MockResponse actual = indexed.dispatch(copy(request));
            String what = "step " + step + ": " + request.getMethod() + " " + request.getPath();
            assertEquals(expected.code(), actual.code(), what);
            String expectedBody = normalised(expected, plainVersions);
            assertEquals(expectedBody, normalised(actual, indexedVersions), what);
            compared++;
            if ("GET".equals(request.getMethod()) && expected.code() == 200 && expectedBody.contains("\"name\"")) {
                found++;
            }
        }
        assertEquals(1500, compared);
        assertTrue(found > 200, "the sequence reads objects that exist, not only empty answers: " + found);
    }

    private static RecordedRequest randomRequest(Random random) {
        String kind = pick(random, KINDS);
        String ns = pick(random, NAMESPACES);
        String name = pick(random, NAMES);
        String collection = "/api/v1/namespaces/" + ns + "/" + kind;
        String object = collection + "/" + name;
        int op = random.nextInt(12);
        return switch (op) {
            case 0, 1 -> request(HttpMethod.POST, collection, body(kind, name, ns, random, false));
            case 2 -> request(HttpMethod.PUT, object, body(kind, name, ns, random, false));
            case 3 -> request(HttpMethod.POST, collection, body(kind, name, ns, random, true));
            case 4 -> request(HttpMethod.PATCH, object, "{\"metadata\":{\"labels\":{\"app\":\"" + pick(random, APPS)
                    + "\"}}}");
            case 5 -> request(HttpMethod.PATCH, object, "{\"metadata\":{\"finalizers\":null}}");
            case 6 -> request(HttpMethod.DELETE, object, null);
            case 7 -> request(HttpMethod.GET, object, null);
            case 8 -> request(HttpMethod.GET, random.nextBoolean() ? collection : "/api/v1/" + kind, null);
            case 9 -> request(HttpMethod.GET, collection + "?labelSelector=" + pick(random, List.of(
                    "app%3D" + pick(random, APPS), "app%3D%3D" + pick(random, APPS), "app!%3D" + pick(random, APPS),
                    "tier", "!tier", "app%3D" + pick(random, APPS) + ",tier%3Dweb", "tier%3Dweb,app")), null);
            case 10 -> request(HttpMethod.GET, "/api/v1/" + kind + "?labelSelector=app%3D" + pick(random, APPS),
                    null);
            default -> request(HttpMethod.GET, collection + "?fieldSelector=metadata.name%3D" + name, null);
        };
    }

    private static String body(String kind, String name, String ns, Random random, boolean finalizer) {
        String k = switch (kind) {
            case "configmaps" -> "ConfigMap";
            case "secrets" -> "Secret";
            default -> "ServiceAccount";
        };
        StringBuilder labels = new StringBuilder();
        if (random.nextInt(4) > 0) {
            labels.append("\"app\":\"").append(pick(random, APPS)).append('"');
        }
        if (random.nextBoolean()) {
            labels.append(labels.isEmpty() ? "" : ",").append("\"tier\":\"")
                    .append(random.nextBoolean() ? "web" : "db").append('"');
        }
        return "{\"apiVersion\":\"v1\",\"kind\":\"" + k + "\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\""
                + ns + "\",\"labels\":{" + labels + "}" + (finalizer ? ",\"finalizers\":[\"keep\"]" : "") + "}}";
    }

    private static RecordedRequest request(HttpMethod method, String path, String body) {
        Headers headers = method == HttpMethod.PATCH
                ? new Headers.Builder().add("Content-Type", "application/merge-patch+json").build()
                : new Headers.Builder().build();
        return new RecordedRequest("HTTP/1.1", method, path, headers,
                new Buffer(body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8)));
    }

    private static RecordedRequest copy(RecordedRequest r) {
        return new RecordedRequest(r.getHttpVersion(), r.method(), r.getPath(), r.getHeaders(),
                new Buffer(r.getBody().getBytes()));
    }

    /**
     * The body with every uid, creation and deletion time masked (random or the clock's in each store), and each
     * object's resourceVersion replaced by the order in which that version first appeared in this store's answers.
     * The indexed store also hands a version to each removal (for its DELETED event, as kube-apiserver does), which
     * the store does not: so the numbers differ, but which writes change an object's version, and in what order,
     * must not. A list's own resourceVersion (the latest handed out) is masked for the same reason.
     */
    private static String normalised(MockResponse r, Map<String, Integer> versions) {
        if (r.getBody() == null) {
            return "";
        }
        String body = r.getBody().readUtf8();
        try {
            JsonNode node = Serialization.jsonMapper().readTree(body);
            if (node == null || !node.isObject()) {
                return body;
            }
            List<JsonNode> objects = new ArrayList<>();
            if (node.has("items")) {
                ((ObjectNode) node.path("metadata")).put("resourceVersion", "*");
            } else {
                objects.add(node);
            }
            node.path("items").forEach(objects::add);
            for (JsonNode o : objects) {
                if (o.path("metadata").isObject()) {
                    ObjectNode metadata = (ObjectNode) o.get("metadata");
                    for (String field : List.of("uid", "creationTimestamp", "deletionTimestamp")) {
                        if (metadata.has(field)) {
                            metadata.put(field, "*");
                        }
                    }
                    if (metadata.has("resourceVersion")) {
                        String v = metadata.get("resourceVersion").asText();
                        metadata.put("resourceVersion", "#" + versions.computeIfAbsent(v, k -> versions.size()));
                    }
                }
            }
            return node.toString();
        } catch (java.io.IOException e) {
            return body;
        }
    }

    private static <T> T pick(Random random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }
}
