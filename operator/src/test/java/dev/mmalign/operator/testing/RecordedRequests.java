package dev.mmalign.operator.testing;

import dev.mmalign.operator.OperatorPermissions;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the requests the mock API server received and maps each to an RBAC (apiGroup, resource, verb), so tests can
 * check that everything the operator did is allowed by {@link OperatorPermissions} (and so by the Helm chart).
 * Requests of the tests' own client are told apart by its User-Agent.
 */
public final class RecordedRequests {

    /** An RBAC-level view of one request. */
    public record Access(String apiGroup, String resource, String verb, String raw) {}

    private static final Pattern PATH = Pattern.compile(
            "^/(?:api/v1|apis/([^/]+)/[^/]+)(?:/namespaces/[^/]+)?/([^/?]+)(?:/([^/?]+))?(?:/([^/?]+))?(?:\\?(.*))?$");

    private RecordedRequests() {}

    /** Maps a request to an access; null for discovery and other non-resource paths. */
    public static Access access(String method, String path) {
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            return null;
        }
        String group = m.group(1) == null ? "" : m.group(1);
        String resource = m.group(2);
        String name = m.group(3);
        String sub = m.group(4);
        String res = sub != null ? resource + "/" + sub : resource;
        return new Access(group, res, verb(method, name != null, path), method + " " + path);
    }

    private static String verb(String method, boolean named, String path) {
        return switch (method) {
            case "GET" -> named ? "get" : path.contains("watch=true") ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> method.toLowerCase();
        };
    }

    /** Takes every request recorded so far and returns those the operator (not the test client) sent. */
    public static List<Access> drainOperatorRequests(KubernetesMockServer server) throws InterruptedException {
        List<Access> out = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            String agent = r.getHeader("User-Agent");
            if (agent != null && agent.contains(TestClients.USER_AGENT)) {
                continue;
            }
            Access a = access(r.getMethod(), r.getPath());
            if (a != null) {
                out.add(a);
            }
        }
        return out;
    }

    /** The accesses that {@link OperatorPermissions} does not allow. */
    public static List<Access> notAllowed(List<Access> accesses) {
        return accesses.stream().filter(a -> !OperatorPermissions.allows(a.apiGroup(), a.resource(), a.verb()))
                .toList();
    }
}
