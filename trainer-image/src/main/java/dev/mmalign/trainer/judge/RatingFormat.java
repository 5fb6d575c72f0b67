package dev.mmalign.trainer.judge;

import dev.mmalign.api.dataset.HelpSteerAttribute;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON answer asked of the judge: {@code {"reasoning": "...", "ratings": [{"response": 1, "helpfulness": 3, ...},
 * ...]}}, reasoning first so that the model thinks before it rates (zero-shot chain of thought).
 */
public record RatingFormat(List<HelpSteerAttribute> attributes, int responses, boolean reasoning) {

    /** The answer's JSON Schema (OpenAI-compatible structured output; vLLM guided decoding). */
    public Map<String, Object> jsonSchema() {
        Map<String, Object> item = new LinkedHashMap<>();
        Map<String, Object> itemProps = new LinkedHashMap<>();
        itemProps.put("response", Map.of("type", "integer", "minimum", 1, "maximum", responses));
        List<String> itemRequired = new ArrayList<>(List.of("response"));
        for (HelpSteerAttribute a : attributes) {
            itemProps.put(a.wireName(), Map.of("type", "integer", "minimum", 0, "maximum", 4));
            itemRequired.add(a.wireName());
        }
        item.put("type", "object");
        item.put("properties", itemProps);
        item.put("required", itemRequired);
        Map<String, Object> props = new LinkedHashMap<>();
        if (reasoning) props.put("reasoning", Map.of("type", "string"));
        props.put("ratings", Map.of("type", "array", "items", item, "minItems", responses, "maxItems", responses));
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", props);
        schema.put("required", reasoning ? List.of("reasoning", "ratings") : List.of("ratings"));
        return schema;
    }

    /** The instruction that closes the user message. */
    public String instruction() {
        List<String> names = attributes.stream().map(HelpSteerAttribute::wireName).toList();
        return (reasoning
                ? "Think step by step: first write your reasoning about each response in \"reasoning\", then "
                : "Give ")
                + "the ratings as JSON: one object per response in \"ratings\" with \"response\" (1-" + responses
                + ") and the integer ratings 0-4 for " + String.join(", ", names) + ".";
    }
}
