package dev.mmalign.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mmalign.validation.CustomResourceValidator;
import dev.mmalign.validation.Violation;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonPatch;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What kube-apiserver does to a custom resource before it stores it on create, update or patch: the patch applied
 * (JSON merge patch, RFC 7386, lists replaced; or JSON patch), unknown fields pruned (refused under
 * {@code fieldValidation=Strict}, which kubectl sends by default, with a warning under {@code Warn}), defaults filled
 * in, and the structural schema and CEL rules of the stored CRD checked ({@link CustomResourceValidator}). An
 * invalid object is answered 422 with a Status of reason Invalid naming each field, as kubectl prints it. Status
 * is not validated, neither in writes of the status subresource (only the operator makes them) nor when it rides
 * along in a write of the resource.
 */
final class CustomResourceAdmission {

    /** The outcome: either the object to store (and warnings), or the error response to send. */
    record Decision(JsonNode object, List<String> warnings, int code, String status) {

        boolean admitted() {
            return object != null;
        }
    }

    private static final ObjectMapper JSON = Serialization.jsonMapper();

    private final Supplier<JsonNode> storedCrds;
    /** The validator and the CRD versions it was built from. */
    private record Built(String crds, CustomResourceValidator validator) {}

    private volatile Built built;

    /** @param storedCrds the CRD list as stored now (a CustomResourceDefinitionList as JSON) */
    CustomResourceAdmission(Supplier<JsonNode> storedCrds) {
        this.storedCrds = storedCrds;
    }

    /**
     * The validator of the CRDs stored now; rebuilt only when a CRD changed, by one caller at a time (a build
     * compiles every CEL rule: callers that need the same one wait for it rather than build it again).
     */
    CustomResourceValidator validator() {
        JsonNode list = storedCrds.get();
        String key = versions(list);
        Built seen = built;
        if (seen != null && seen.crds().equals(key)) {
            return seen.validator();
        }
        synchronized (this) {
            seen = built;
            if (seen == null || !seen.crds().equals(key)) {
                List<JsonNode> crds = new ArrayList<>();
                list.path("items").forEach(crds::add);
                seen = new Built(key, CustomResourceValidator.fromCrds(crds));
                built = seen;
            }
            return seen.validator();
        }
    }

    /** Whether the validator of the CRDs stored now is built (a write then does not wait for a build). */
    boolean ready() {
        Built seen = built;
        return seen != null && seen.crds().equals(versions(storedCrds.get()));
    }

    /** Whether a stored CRD defines this kind in this group (read from the list, without building a validator). */
    private boolean definedByAStoredCrd(String apiVersion, String kind) {
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        for (JsonNode crd : storedCrds.get().path("items")) {
            JsonNode spec = crd.path("spec");
            if (spec.path("group").asText().equals(group) && spec.path("names").path("kind").asText().equals(kind)) {
                return true;
            }
        }
        return false;
    }

    /** The uid and resourceVersion of each CRD in the list: what the validator must be rebuilt on. */
    private static String versions(JsonNode list) {
        StringBuilder key = new StringBuilder();
        for (JsonNode crd : list.path("items")) {
            key.append(crd.path("metadata").path("uid").asText()).append('@')
                    .append(crd.path("metadata").path("resourceVersion").asText()).append(',');
        }
        return key.toString();
    }

    /**
     * Admits a create or update body, or a patch of {@code current}; empty when the object is no custom resource
     * that a stored CRD defines (then the store handles the request as it is).
     *
     * @param patchType the request's Content-Type for a PATCH, null for a create or update
     */
    Optional<Decision> admit(String body, String patchType, JsonNode current, String fieldValidation) {
        JsonNode object;
        try {
            JsonNode input = JSON.readTree(body);
            if (patchType == null) {
                object = input;
            } else if (current == null) {
                return Optional.empty(); // nothing to patch: the store answers 404
            } else if (patchType.startsWith("application/merge-patch+json")) {
                object = mergePatch(current.deepCopy(), input);
            } else if (patchType.startsWith("application/json-patch+json")) {
                object = JsonPatch.apply(input, current);
            } else {
                return Optional.empty();
            }
        } catch (Exception e) {
            return Optional.of(new Decision(null, List.of(), 400, status(400, "BadRequest",
                    "the body of the request cannot be read: " + e.getMessage(), null, null, List.of())));
        }
        String apiVersion = object.path("apiVersion").asText();
        String kind = object.path("kind").asText();
        if (!definedByAStoredCrd(apiVersion, kind)) {
            return Optional.empty(); // not a custom resource (a CRD itself, a Lease): no validator needed
        }
        CustomResourceValidator v = validator();
        if (!v.knows(apiVersion, kind)) {
            return Optional.empty();
        }
        // Our CRDs have a status subresource: a write of the resource itself leaves status to the /status writes
        // (which only the operator makes), so a status of any shape never blocks a spec or finalizer change.
        JsonNode status = object.isObject() ? ((ObjectNode) object).remove("status") : null;
        CustomResourceValidator.Result result = v.admit(object);
        if (status != null) {
            ((ObjectNode) result.object()).set("status", status);
        }
        String name = object.path("metadata").path("name").asText();
        if ("Strict".equalsIgnoreCase(fieldValidation) && !result.prunedFields().isEmpty()) {
            String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
            String message = kind + " in version \"" + version + "\" cannot be handled as a " + kind
                    + ": strict decoding error: " + String.join(", ", result.prunedFields().stream()
                    .map(f -> "unknown field \"" + f + "\"").toList());
            return Optional.of(new Decision(null, List.of(), 400, status(400, "BadRequest", message, null, null,
                    List.of())));
        }
        if (!result.violations().isEmpty()) {
            String group = apiVersion.substring(0, apiVersion.indexOf('/'));
            List<Violation> causes = result.violations();
            String listed = causes.size() == 1 ? causes.get(0).toString()
                    : "[" + String.join(", ", causes.stream().map(Violation::toString).toList()) + "]";
            String message = kind + "." + group + " \"" + name + "\" is invalid: " + listed;
            return Optional.of(new Decision(null, List.of(), 422, status(422, "Invalid", message, name,
                    Map.of("group", group, "kind", kind), causes)));
        }
        List<String> warnings = "Ignore".equalsIgnoreCase(fieldValidation) ? List.of()
                : result.prunedFields().stream().map(f -> "unknown field \"" + f + "\"").toList();
        return Optional.of(new Decision(result.object(), warnings, 0, null));
    }

    /** RFC 7386: objects merged recursively, null removes a field, anything else (lists too) replaces. */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target : JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }

    /** A metav1.Status of failure, as kube-apiserver answers. */
    static String status(int code, String reason, String message, String name, Map<String, String> groupKind,
                         List<Violation> causes) {
        ObjectNode s = JSON.createObjectNode();
        s.put("kind", "Status").put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure").put("message", message).put("reason", reason);
        if (name != null) {
            ObjectNode details = s.putObject("details");
            details.put("name", name);
            groupKind.forEach(details::put);
            ArrayNode list = details.putArray("causes");
            for (Violation v : causes) {
                list.addObject().put("reason", v.reason()).put("message", v.message()).put("field", v.field());
            }
        }
        s.put("code", code);
        return s.toString();
    }
}
