package dev.mmalign.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders resources the way `kubectl get` does, from the printer columns declared on the type (the same annotations
 * the CRDs in crds/ are generated from), and keeps the table under target/kubectl-get/ for the docs.
 */
public final class PrinterTable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PrinterTable() {}

    public static String render(List<? extends HasMetadata> items, boolean wide) {
        Class<?> type = items.get(0).getClass();
        AdditionalPrinterColumn[] columns = type.getAnnotationsByType(AdditionalPrinterColumn.class);
        List<String> headers = new ArrayList<>(List.of("NAME"));
        for (AdditionalPrinterColumn c : columns) {
            if (wide || c.priority() == 0) headers.add(c.name().toUpperCase());
        }
        List<List<String>> rows = new ArrayList<>();
        for (HasMetadata item : items) {
            JsonNode node = JSON.valueToTree(item);
            List<String> row = new ArrayList<>(List.of(item.getMetadata().getName()));
            for (AdditionalPrinterColumn c : columns) {
                if (!wide && c.priority() != 0) continue;
                JsonNode v = at(node, c.jsonPath());
                String text = v == null || v.isNull() || v.isMissingNode() ? "" : v.asText();
                if (c.type() == AdditionalPrinterColumn.Type.DATE && !text.isEmpty()) {
                    text = age(Instant.parse(text));
                }
                row.add(text);
            }
            rows.add(row);
        }
        int[] width = new int[headers.size()];
        for (int i = 0; i < headers.size(); i++) {
            width[i] = headers.get(i).length();
            for (List<String> r : rows) width[i] = Math.max(width[i], r.get(i).length());
        }
        StringBuilder b = new StringBuilder();
        line(b, headers, width);
        rows.forEach(r -> line(b, r, width));
        return b.toString();
    }

    /** Renders and stores the table as target/kubectl-get/{file}. */
    public static String save(String file, List<? extends HasMetadata> items, boolean wide) throws IOException {
        String table = render(items, wide);
        Path dir = Path.of("target", "kubectl-get");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(file), table);
        System.out.println(table);
        return table;
    }

    private static void line(StringBuilder b, List<String> cells, int[] width) {
        for (int i = 0; i < cells.size(); i++) {
            b.append(String.format("%-" + (width[i] + 3) + "s", cells.get(i)));
        }
        while (b.length() > 0 && b.charAt(b.length() - 1) == ' ') {
            b.setLength(b.length() - 1);
        }
        b.append('\n');
    }

    private static JsonNode at(JsonNode node, String jsonPath) {
        JsonNode n = node;
        for (String part : jsonPath.substring(1).split("\\.")) {
            if (n == null) return null;
            n = n.get(part);
        }
        return n;
    }

    private static String age(Instant created) {
        Duration d = Duration.between(created, Instant.now());
        if (d.toMinutes() < 2) return d.toSeconds() + "s";
        if (d.toHours() < 2) return d.toMinutes() + "m";
        return d.toHours() + "h";
    }
}
