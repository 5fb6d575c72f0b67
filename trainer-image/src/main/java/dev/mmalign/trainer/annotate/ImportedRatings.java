package dev.mmalign.trainer.annotate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.ImageToken;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.Usage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code import} provider: existing ratings from a JSONL file, validated line by line. A row names its
 * completion by stable identity: {@code completionId}, or {@code promptId} + {@code completionIndex} (0-based), or
 * — HelpSteer's shape {@code {"prompt","response","helpfulness":3,...}} — by the question (with or without LLaVA's
 * {@code <image>} token, see {@link #textKey}) and response text, where
 * a row rates every completion of that prompt with that exact text (two identical texts are one response to rate,
 * so none is lost). A completion rated twice with the same values is a counted duplicate; with different values it
 * is a conflict, reported with both lines (exit code 2), because silently keeping either would be a guess.
 */
public final class ImportedRatings {

    public static final String NAME = "import";

    /**
     * The ratings by completion id, and what the file held: rows = applied + duplicates, always. {@code unsampled}:
     * with {@code unsampledAllowed}, the rated responses that are no sampled completion, as completions of their
     * prompt named {@link #unsampledId} (their ratings are in {@code ratings} under that id).
     */
    public record Result(Map<String, AnnotationRecord> ratings, long rows, long appliedRows, long duplicateRows,
                         List<CompletionRecord> unsampled) {}

    private ImportedRatings() {}

    /** Every valid imported rating, by completion id; an unknown completion, a bad rating or a conflict fails. */
    public static Result read(Path file, List<HelpSteerAttribute> attributes,
                              Map<String, JsonlReader.Line<PromptRecord>> prompts,
                              Map<String, List<CompletionRecord>> completions) {
        return read(file, attributes, prompts, completions, false);
    }

    /**
     * The id of a rated response on line {@code line} of the ratings file that is not among the sampled completions
     * of prompt {@code promptId}: stable while the file is, and never a sampled one's ("&lt;prompt&gt;#&lt;n&gt;").
     */
    public static String unsampledId(String promptId, long line) {
        return promptId + "#rated-line-" + line;
    }

    /**
     * As above; with {@code unsampledAllowed} (people's ratings for judge-human agreement, HelpSteer-style: responses
     * people rated, some never sampled), a row that names its prompt — {@code promptId} with {@code response} and no
     * completionIndex, or a {@code prompt} text that is exactly one prompt's question — but no sampled completion
     * with that response text is a response of its own, which the annotate stage has the judge rate too.
     */
    public static Result read(Path file, List<HelpSteerAttribute> attributes,
                              Map<String, JsonlReader.Line<PromptRecord>> prompts,
                              Map<String, List<CompletionRecord>> completions, boolean unsampledAllowed) {
        Map<String, CompletionRecord> byId = new HashMap<>();
        Map<String, List<CompletionRecord>> byText = new HashMap<>();
        for (List<CompletionRecord> group : completions.values()) {
            for (CompletionRecord c : group) {
                byId.put(c.completionId(), c);
                byText.computeIfAbsent(textKey(prompts.get(c.promptId()).value().question(), c.text()),
                        k -> new ArrayList<>()).add(c);
            }
        }
        Map<String, List<String>> promptsByQuestion = new HashMap<>();
        if (unsampledAllowed) {
            prompts.forEach((id, line) -> promptsByQuestion.computeIfAbsent(ImageToken.strip(line.value().question()),
                    k -> new ArrayList<>()).add(id));
        }
        List<CompletionRecord> unsampled = new ArrayList<>();
        Map<String, AnnotationRecord> out = new LinkedHashMap<>();
        Map<String, Long> lineOf = new HashMap<>();
        long rows = 0;
        long applied = 0;
        long duplicates = 0;
        for (JsonlReader.Line<JsonNode> line : JsonlReader.readNonEmpty(file, JsonNode.class, null)) {
            rows++;
            JsonNode row = line.value();
            List<CompletionRecord> targets = unsampledAllowed
                    ? unsampledTarget(row, prompts, promptsByQuestion, completions, file, line.number()) : null;
            if (targets == null) {
                targets = targets(row, byId, byText, file, line.number());
            } else if (targets.size() == 1 && targets.get(0).completionId()
                    .equals(unsampledId(targets.get(0).promptId(), line.number()))) {
                unsampled.add(targets.get(0));
            }
            Map<String, Integer> values = values(row, attributes, file, line.number());
            String reasoning = row.path("reasoning").isTextual() ? row.get("reasoning").asText() : null;
            boolean duplicate = true;
            for (CompletionRecord c : targets) {
                AnnotationRecord earlier = out.get(c.completionId());
                if (earlier == null) {
                    out.put(c.completionId(), new AnnotationRecord(c.promptId(), c.completionId(), values, reasoning,
                            NAME, Usage.NONE));
                    lineOf.put(c.completionId(), line.number());
                    duplicate = false;
                } else if (!earlier.ratings().equals(values)) {
                    throw new InvalidInputException(file, line.number(), "conflicting ratings for completion "
                            + c.completionId() + ": " + values + " here, " + earlier.ratings() + " on line "
                            + lineOf.get(c.completionId()));
                }
            }
            if (duplicate) duplicates++;
            else applied++;
        }
        return new Result(out, rows, applied, duplicates, unsampled);
    }

    /**
     * With unsampled responses allowed: the row's targets when it names a prompt and a response (the sampled
     * completions of that prompt with that exact text, else a new response with model null), or null when the row
     * names a completion (completionId, completionIndex) or no single prompt, for {@link #targets} to resolve.
     */
    private static List<CompletionRecord> unsampledTarget(JsonNode row,
                                                          Map<String, JsonlReader.Line<PromptRecord>> prompts,
                                                          Map<String, List<String>> promptsByQuestion,
                                                          Map<String, List<CompletionRecord>> completions,
                                                          Path file, long line) {
        if (row.hasNonNull("completionId") || row.has("completionIndex") || !row.path("response").isTextual()) {
            return null;
        }
        String promptId;
        if (row.hasNonNull("promptId")) {
            promptId = row.get("promptId").asText();
            if (!prompts.containsKey(promptId)) {
                throw new InvalidInputException(file, line, "promptId " + shortText(promptId)
                        + " is no prompt of the dataset");
            }
        } else {
            List<String> ids = promptsByQuestion.getOrDefault(ImageToken.strip(row.path("prompt").asText()),
                    List.of());
            if (ids.size() != 1) {
                String response = row.path("response").asText();
                boolean sampled = ids.stream().anyMatch(id -> completions.getOrDefault(id, List.of()).stream()
                        .anyMatch(c -> c.text().equals(response)));
                if (sampled) return null; // a sampled completion's text: targets() rates it
                throw new InvalidInputException(file, line, "the prompt text is the question of " + ids.size()
                        + " prompts of the dataset (needs exactly one; name it by promptId)");
            }
            promptId = ids.get(0);
        }
        String response = row.get("response").asText();
        List<CompletionRecord> same = completions.getOrDefault(promptId, List.of()).stream()
                .filter(c -> c.text().equals(response)).toList();
        if (!same.isEmpty()) return same;
        return List.of(new CompletionRecord(promptId, unsampledId(promptId, line), response, null, null, null));
    }

    private static List<CompletionRecord> targets(JsonNode row, Map<String, CompletionRecord> byId,
                                                  Map<String, List<CompletionRecord>> byText, Path file, long line) {
        if (row.hasNonNull("completionId")) {
            CompletionRecord c = byId.get(row.get("completionId").asText());
            if (c == null) {
                throw new InvalidInputException(file, line, "unknown completionId "
                        + shortText(row.get("completionId").asText()));
            }
            return List.of(c);
        }
        if (row.hasNonNull("promptId") || row.has("completionIndex")) {
            JsonNode index = row.path("completionIndex");
            if (!row.hasNonNull("promptId") || !index.isIntegralNumber() || index.asInt() < 0) {
                throw new InvalidInputException(file, line, "promptId needs a completionIndex (an integer >= 0)");
            }
            String id = CompletionRecord.idOf(row.get("promptId").asText(), index.asInt());
            CompletionRecord c = byId.get(id);
            if (c == null) {
                throw new InvalidInputException(file, line, "no completion " + shortText(id));
            }
            return List.of(c);
        }
        List<CompletionRecord> matches = byText.get(textKey(row.path("prompt").asText(), row.path("response").asText()));
        if (matches == null) {
            throw new InvalidInputException(file, line, "no completion matches this prompt and response text");
        }
        return matches;
    }

    private static Map<String, Integer> values(JsonNode row, List<HelpSteerAttribute> attributes, Path file,
                                               long line) {
        JsonNode ratings = row.has("ratings") ? row.get("ratings") : row;
        Map<String, Integer> values = new LinkedHashMap<>();
        for (HelpSteerAttribute a : attributes) {
            JsonNode v = ratings.path(a.wireName());
            if (!v.isIntegralNumber() || v.asInt() < 0 || v.asInt() > 4) {
                throw new InvalidInputException(file, line, a.wireName() + " = "
                        + (v.isMissingNode() ? "missing" : shortText(v.toString())) + " is not an integer 0-4");
            }
            values.put(a.wireName(), v.asInt());
        }
        return values;
    }

    /**
     * Questions are compared after {@link ImageToken#strip}: HelpSteer-style rows written from LLaVA-format data
     * carry {@code "<image>\n"} (or a trailing {@code "\n<image>"}) in the prompt, our prompts do not, and either side
     * may have surrounding whitespace. Responses are compared exactly: they are what the rating is about.
     */
    private static String textKey(String question, String response) {
        return ImageToken.strip(question) + "\u0000" + response;
    }

    private static String shortText(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "…";
    }
}
