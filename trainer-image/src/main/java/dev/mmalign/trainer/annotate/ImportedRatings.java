package dev.mmalign.trainer.annotate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.Usage;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code import} provider: existing ratings from a JSONL file, validated line by line. Two shapes are read:
 * ours, {@code {"promptId","completionId","ratings":{"helpfulness":3,...}}}, and HelpSteer's, {@code {"prompt",
 * "response","helpfulness":3,...}}, matched to a completion by exact question and response text.
 */
public final class ImportedRatings {

    public static final String NAME = "import";

    private ImportedRatings() {}

    /** Every valid imported rating, by completion id; an unknown completion or a bad rating fails with file:line. */
    public static Map<String, AnnotationRecord> read(Path file, List<HelpSteerAttribute> attributes,
                                                     Map<String, JsonlReader.Line<PromptRecord>> prompts,
                                                     Map<String, List<CompletionRecord>> completions) {
        Map<String, CompletionRecord> byId = new HashMap<>();
        Map<String, CompletionRecord> byText = new HashMap<>();
        for (List<CompletionRecord> group : completions.values()) {
            for (CompletionRecord c : group) {
                byId.put(c.completionId(), c);
                byText.put(prompts.get(c.promptId()).value().question() + "\u0000" + c.text(), c);
            }
        }
        Map<String, AnnotationRecord> out = new LinkedHashMap<>();
        for (JsonlReader.Line<JsonNode> line : JsonlReader.readLines(file, JsonNode.class, null)) {
            JsonNode row = line.value();
            CompletionRecord c = row.hasNonNull("completionId")
                    ? byId.get(row.get("completionId").asText())
                    : byText.get(row.path("prompt").asText() + "\u0000" + row.path("response").asText());
            if (c == null) {
                throw new InvalidInputException(file, line.number(), row.hasNonNull("completionId")
                        ? "unknown completionId " + row.get("completionId").asText()
                        : "no completion matches this prompt and response text");
            }
            JsonNode ratings = row.has("ratings") ? row.get("ratings") : row;
            Map<String, Integer> values = new LinkedHashMap<>();
            for (HelpSteerAttribute a : attributes) {
                JsonNode v = ratings.path(a.wireName());
                if (!v.isIntegralNumber() || v.asInt() < 0 || v.asInt() > 4) {
                    throw new InvalidInputException(file, line.number(), a.wireName() + " = "
                            + (v.isMissingNode() ? "missing" : v.toString()) + " is not an integer 0-4");
                }
                values.put(a.wireName(), v.asInt());
            }
            out.putIfAbsent(c.completionId(), new AnnotationRecord(c.promptId(), c.completionId(), values,
                    row.path("reasoning").isTextual() ? row.get("reasoning").asText() : null, NAME, Usage.NONE));
        }
        return out;
    }
}
