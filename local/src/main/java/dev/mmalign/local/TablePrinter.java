package dev.mmalign.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Server-side printing: turns a GET answer into a {@code meta.k8s.io/v1} Table when the client asks for one
 * ({@code Accept: ...;as=Table...}, what {@code kubectl get} sends), because kubectl prints only NAME and AGE for
 * anything else. Custom kinds get their CRD's {@code additionalPrinterColumns} (simple {@code .a.b.c} JSON paths);
 * Jobs and Pods get kubectl's usual columns; other kinds NAME and AGE.
 */
final class TablePrinter {

    private record Column(String name, String type, int priority, Function<JsonNode, Object> cell) {
    }

    private TablePrinter() {
    }

    /** The Table for a stored object or list at {@code path}, or empty when the kind is unknown. */
    static Optional<String> table(String path, String body, List<CustomResourceDefinition> crds) {
        JsonNode node;
        try {
            node = Serialization.jsonMapper().readTree(body);
        } catch (Exception e) {
            return Optional.empty();
        }
        String[] parts = path.substring(1).split("/");
        String group = parts[0].equals("api") ? "" : parts.length > 1 ? parts[1] : "";
        int i = parts[0].equals("api") ? 2 : 3;
        if (parts.length > i + 1 && parts[i].equals("namespaces")) {
            i += 2;
        }
        if (parts.length <= i) {
            return Optional.empty();
        }
        String plural = parts[i];
        List<Column> columns = columns(group, plural, crds);

        ObjectNode table = Serialization.jsonMapper().createObjectNode();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        table.putObject("metadata").put("resourceVersion", node.path("metadata").path("resourceVersion").asText(""));
        ArrayNode defs = table.putArray("columnDefinitions");
        for (Column c : columns) {
            ObjectNode d = defs.addObject();
            d.put("name", c.name());
            d.put("type", c.type().equals("date") ? "string" : c.type());
            d.put("format", c.name().equals("Name") ? "name" : "");
            d.put("description", "");
            d.put("priority", c.priority());
        }
        ArrayNode rows = table.putArray("rows");
        List<JsonNode> items = new ArrayList<>();
        if (node.has("items")) {
            node.get("items").forEach(items::add);
        } else {
            items.add(node);
        }
        // The mock store keeps insertion order (an update moves an object last); a real server lists by key.
        items.sort(java.util.Comparator.comparing((JsonNode n) -> n.path("metadata").path("namespace").asText(""))
                .thenComparing(n -> n.path("metadata").path("name").asText("")));
        for (JsonNode item : items) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Column c : columns) {
                cells.addPOJO(c.cell().apply(item));
            }
            ObjectNode object = row.putObject("object");
            object.put("kind", "PartialObjectMetadata");
            object.put("apiVersion", "meta.k8s.io/v1");
            object.set("metadata", item.path("metadata").deepCopy());
        }
        return Optional.of(table.toString());
    }

    private static List<Column> columns(String group, String plural, List<CustomResourceDefinition> crds) {
        List<Column> cols = new ArrayList<>();
        cols.add(new Column("Name", "string", 0, n -> n.path("metadata").path("name").asText()));
        for (CustomResourceDefinition crd : crds) {
            if (crd.getSpec().getGroup().equals(group) && crd.getSpec().getNames().getPlural().equals(plural)) {
                CustomResourceDefinitionVersion v = crd.getSpec().getVersions().get(0);
                if (v.getAdditionalPrinterColumns() != null && !v.getAdditionalPrinterColumns().isEmpty()) {
                    for (CustomResourceColumnDefinition c : v.getAdditionalPrinterColumns()) {
                        String type = c.getType();
                        cols.add(new Column(c.getName(), type, c.getPriority() == null ? 0 : c.getPriority(),
                                n -> cell(at(n, c.getJsonPath()), type)));
                    }
                    return cols;
                }
            }
        }
        if (group.equals("batch") && plural.equals("jobs")) {
            cols.add(new Column("Status", "string", 0, TablePrinter::jobStatus));
            cols.add(new Column("Completions", "string", 0, n -> n.path("status").path("succeeded").asInt(0) + "/"
                    + n.path("spec").path("completions").asText("1")));
            cols.add(new Column("Duration", "string", 0, TablePrinter::jobDuration));
        } else if (group.isEmpty() && plural.equals("pods")) {
            cols.add(new Column("Ready", "string", 0, TablePrinter::podReady));
            cols.add(new Column("Status", "string", 0, TablePrinter::podStatus));
            cols.add(new Column("Restarts", "integer", 0, n -> 0));
        }
        cols.add(new Column("Age", "string", 0, n -> cell(n.path("metadata").path("creationTimestamp"), "date")));
        return cols;
    }

    /** A simple JSON path ({@code .status.phase}); anything fancier yields nothing. */
    private static JsonNode at(JsonNode n, String jsonPath) {
        JsonNode cur = n;
        for (String part : jsonPath.replaceFirst("^\\.", "").split("\\.")) {
            cur = cur.path(part);
        }
        return cur;
    }

    private static Object cell(JsonNode v, String type) {
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if ("date".equals(type)) {
            try {
                return age(Instant.parse(v.asText()));
            } catch (RuntimeException e) {
                return v.asText();
            }
        }
        if (v.isNumber()) {
            return v.numberValue();
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }

    /** Kubernetes' short human durations: 45s, 3m20s, 5m, 2h10m, 3d. */
    static String age(Instant since) {
        long s = Math.max(0, Duration.between(since, Instant.now()).getSeconds());
        if (s < 120) {
            return s + "s";
        }
        long m = s / 60;
        if (m < 10) {
            return m + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
        }
        if (m < 180) {
            return m + "m";
        }
        long h = m / 60;
        return h < 48 ? h + "h" + (m % 60 == 0 ? "" : (m % 60) + "m") : (h / 24) + "d";
    }

    private static Object jobStatus(JsonNode n) {
        for (JsonNode c : n.path("status").path("conditions")) {
            if ("True".equals(c.path("status").asText())) {
                String type = c.path("type").asText();
                if (type.equals("Complete") || type.equals("Failed") || type.equals("Suspended")) {
                    return type;
                }
            }
        }
        return "Running";
    }

    private static Object jobDuration(JsonNode n) {
        JsonNode start = n.path("status").path("startTime");
        if (start.isMissingNode() || start.isNull()) {
            return null;
        }
        Instant from = Instant.parse(start.asText());
        JsonNode end = n.path("status").path("completionTime");
        Instant to = end.isMissingNode() || end.isNull() ? Instant.now() : Instant.parse(end.asText());
        return age(Instant.now().minus(Duration.between(from, to)));
    }

    private static Object podReady(JsonNode n) {
        int total = n.path("spec").path("containers").size();
        int ready = 0;
        for (JsonNode cs : n.path("status").path("containerStatuses")) {
            if (cs.path("ready").asBoolean(false)) {
                ready++;
            }
        }
        return ready + "/" + total;
    }

    private static Object podStatus(JsonNode n) {
        if (n.path("metadata").has("deletionTimestamp")) {
            return "Terminating";
        }
        for (JsonNode cs : n.path("status").path("containerStatuses")) {
            JsonNode t = cs.path("state").path("terminated");
            if (!t.isMissingNode()) {
                return t.path("reason").asText("Terminated");
            }
        }
        return n.path("status").path("phase").asText("Pending");
    }
}
