package dev.mmalign.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code fieldSelector} of a list request ({@code involvedObject.name=x,involvedObject.kind=AlignmentRun},
 * {@code metadata.name!=y}), applied to the items of a list, because the mock server's store does not: kubectl
 * describe finds a resource's Events with {@code involvedObject.name}, {@code .namespace}, {@code .kind} and
 * {@code .uid}. Any dotted field path of the item is accepted; an absent field compares as "".
 */
final class FieldSelector {

    private record Term(String[] path, String value, boolean equal) {}

    private final List<Term> terms = new ArrayList<>();

    private FieldSelector() {}

    /** Parses the (decoded) value of the fieldSelector query parameter. */
    static FieldSelector parse(String selector) {
        FieldSelector s = new FieldSelector();
        for (String term : selector.split(",")) {
            if (term.isBlank()) {
                continue;
            }
            boolean equal = !term.contains("!=");
            String[] kv = term.split(equal ? "==?" : "!=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("invalid field selector term \"" + term + "\"");
            }
            s.terms.add(new Term(kv[0].trim().split("\\."), kv[1].trim(), equal));
        }
        return s;
    }

    boolean matches(JsonNode item) {
        for (Term t : terms) {
            JsonNode node = item;
            for (String segment : t.path()) {
                node = node.path(segment);
            }
            String actual = node.isValueNode() ? node.asText() : "";
            if (actual.equals(t.value()) != t.equal()) {
                return false;
            }
        }
        return true;
    }

    /** The list with only the matching items. */
    JsonNode filter(JsonNode list) {
        ObjectNode copy = list.deepCopy();
        ArrayNode kept = copy.putArray("items");
        list.path("items").forEach(item -> {
            if (matches(item)) {
                kept.add(item);
            }
        });
        return copy;
    }
}
