package dev.mmalign.trainer.annotate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.judge.MalformedAnswerException;
import dev.mmalign.trainer.judge.RatingFormat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates a judge's rating answer against its {@link RatingFormat}: every response rated exactly once,
 * every attribute present, every rating an integer 0-4. Anything else is malformed, with the reason.
 */
public final class RatingParser {

    private RatingParser() {}

    public static Verdict parse(String text, RatingFormat format) throws MalformedAnswerException {
        JsonNode root = readJson(text);
        if (!root.isObject()) {
            throw new MalformedAnswerException("answer is not a JSON object");
        }
        String reasoning = root.path("reasoning").isTextual() ? root.path("reasoning").asText() : null;
        if (format.reasoning() && (reasoning == null || reasoning.isBlank())) {
            throw new MalformedAnswerException("answer has no \"reasoning\"");
        }
        JsonNode ratings = root.path("ratings");
        if (!ratings.isArray()) {
            throw new MalformedAnswerException("answer has no \"ratings\" array");
        }
        List<Map<String, Integer>> byResponse = new ArrayList<>();
        for (int i = 0; i < format.responses(); i++) byResponse.add(null);
        for (JsonNode item : ratings) {
            JsonNode index = item.path("response");
            if (!index.isIntegralNumber() || index.asInt() < 1 || index.asInt() > format.responses()) {
                throw new MalformedAnswerException("rating item has no valid \"response\" 1-" + format.responses()
                        + ": " + item);
            }
            int slot = index.asInt() - 1;
            if (byResponse.get(slot) != null) {
                throw new MalformedAnswerException("response " + index.asInt() + " is rated twice");
            }
            Map<String, Integer> values = new LinkedHashMap<>();
            for (HelpSteerAttribute a : format.attributes()) {
                JsonNode v = item.path(a.wireName());
                if (!v.isIntegralNumber() || v.asInt() < 0 || v.asInt() > 4) {
                    throw new MalformedAnswerException("response " + index.asInt() + ": " + a.wireName() + " = "
                            + (v.isMissingNode() ? "missing" : v.toString()) + " is not an integer 0-4");
                }
                values.put(a.wireName(), v.asInt());
            }
            byResponse.set(slot, values);
        }
        for (int i = 0; i < byResponse.size(); i++) {
            if (byResponse.get(i) == null) {
                throw new MalformedAnswerException("response " + (i + 1) + " of " + format.responses()
                        + " is not rated");
            }
        }
        return new Verdict(reasoning, byResponse);
    }

    /** Parses JSON, tolerating a Markdown code fence around it (common with chat models). */
    static JsonNode readJson(String text) throws MalformedAnswerException {
        String t = text == null ? "" : text.strip();
        if (t.startsWith("```")) {
            int firstNewline = t.indexOf('\n');
            int lastFence = t.lastIndexOf("```");
            if (firstNewline > 0 && lastFence > firstNewline) {
                t = t.substring(firstNewline + 1, lastFence).strip();
            }
        }
        try {
            JsonNode node = Json.MAPPER.readTree(t);
            if (node == null || node.isMissingNode()) {
                throw new MalformedAnswerException("answer is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new MalformedAnswerException("answer is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
