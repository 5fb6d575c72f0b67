package dev.mmalign.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.util.Optional;

/**
 * The OpenAPI v3 documents of the custom resources, built from the stored CRDs' schemas, so that
 * {@code kubectl explain alignmentrun.spec.dpo} works: {@code /openapi/v3} lists one document per served
 * group-version of a CRD, and {@code /openapi/v3/apis/<group>/<version>} holds each kind's schema under
 * {@code components.schemas} with its {@code x-kubernetes-group-version-kind}, which is how kubectl finds it.
 * Built-in kinds have no document here (kubectl explain of a Pod fails).
 */
final class OpenApiDocuments {

    private static final ObjectMapper JSON = Serialization.jsonMapper();

    private OpenApiDocuments() {}

    /** The answer to {@code path} (query stripped), or empty when the path is no OpenAPI v3 document here. */
    static Optional<String> answer(String path, JsonNode crdList) {
        if (path.equals("/openapi/v3") || path.equals("/openapi/v3/")) {
            ObjectNode paths = JSON.createObjectNode();
            for (JsonNode crd : crdList.path("items")) {
                for (JsonNode version : crd.path("spec").path("versions")) {
                    if (version.path("served").asBoolean(true)) {
                        String gv = "apis/" + crd.path("spec").path("group").asText() + "/"
                                + version.path("name").asText();
                        String hash = Integer.toHexString(document(gv, crdList).hashCode());
                        paths.putObject(gv).put("serverRelativeURL", "/openapi/v3/" + gv + "?hash=" + hash);
                    }
                }
            }
            ObjectNode root = JSON.createObjectNode();
            root.set("paths", paths);
            return Optional.of(root.toString());
        }
        if (path.startsWith("/openapi/v3/apis/")) {
            String gv = path.substring("/openapi/v3/".length());
            String doc = document(gv, crdList);
            return doc.contains("x-kubernetes-group-version-kind") ? Optional.of(doc) : Optional.empty();
        }
        return Optional.empty();
    }

    /** The document of one group-version ("apis/mmalign.dev/v1alpha1"). */
    private static String document(String gv, JsonNode crdList) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", "unversioned");
        ObjectNode paths = doc.putObject("paths");
        ObjectNode schemas = doc.putObject("components").putObject("schemas");
        for (JsonNode crd : crdList.path("items")) {
            String group = crd.path("spec").path("group").asText();
            String kind = crd.path("spec").path("names").path("kind").asText();
            for (JsonNode version : crd.path("spec").path("versions")) {
                String v = version.path("name").asText();
                if (!gv.equals("apis/" + group + "/" + v)) {
                    continue;
                }
                ObjectNode schema = version.path("schema").path("openAPIV3Schema").deepCopy();
                schema.putArray("x-kubernetes-group-version-kind").addObject()
                        .put("group", group).put("kind", kind).put("version", v);
                // The name kube-apiserver gives a CRD's schema: reversed group, version, kind.
                StringBuilder name = new StringBuilder();
                String[] parts = group.split("\\.");
                for (int i = parts.length - 1; i >= 0; i--) {
                    name.append(parts[i]).append('.');
                }
                schemas.set(name + v + "." + kind, schema);
                // kubectl explain finds a resource's kind by its list path's GET operation, then the schema by kind.
                String plural = crd.path("spec").path("names").path("plural").asText();
                boolean namespaced = !"Cluster".equals(crd.path("spec").path("scope").asText());
                String listPath = "/" + gv + (namespaced ? "/namespaces/{namespace}/" : "/") + plural;
                ObjectNode get = paths.putObject(listPath).putObject("get");
                get.put("operationId", "list" + kind);
                get.putObject("x-kubernetes-group-version-kind").put("group", group).put("kind", kind)
                        .put("version", v);
                get.put("x-kubernetes-action", "list");
            }
        }
        return doc.toString();
    }
}
