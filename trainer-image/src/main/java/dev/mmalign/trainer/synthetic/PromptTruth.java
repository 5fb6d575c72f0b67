package dev.mmalign.trainer.synthetic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.trainer.data.Json;

import java.util.List;

/**
 * What a synthetic prompt's answer must be, stored in the prompt's {@code truth} field: the kind of question, the
 * short answer ("yes", "red", "3", "left", ...) and the names of the objects in the image ("red circle", ...).
 */
public record PromptTruth(Kind kind, String answer, List<String> objects) {

    public enum Kind { EXISTS, COLOR, COUNT, POSITION, DESCRIBE, TEXT }

    public JsonNode toJson() {
        return Json.MAPPER.valueToTree(this);
    }

    /** Null when the node is not a truth record. */
    public static PromptTruth fromJson(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            PromptTruth t = Json.MAPPER.treeToValue(node, PromptTruth.class);
            return t.kind() == null || t.answer() == null ? null : t;
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
    }
}
