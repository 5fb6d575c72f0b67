package dev.mmalign.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.dataset.PromptFormat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a prompts file in any {@link PromptFormat} into our prompt records, each with where it came from
 * ({@code file:line} for line formats, {@code file[index]} for JSON arrays) so that every later problem (a duplicate
 * id, a missing image) names the record. A record the format cannot give a prompt for is invalid input there and
 * then: skipping it would silently shrink the dataset.
 */
public final class PromptFiles {

    /** A prompt and where it is in its file. */
    public record Entry(PromptRecord prompt, String where) {}

    private PromptFiles() {}

    public static List<Entry> read(Path file, PromptFormat format) {
        return switch (format == null ? PromptFormat.JSONL : format) {
            case JSONL -> jsonl(file);
            case SCIGRAPHQA -> sciGraphQa(file);
            case LLAVA -> llava(file);
            case LRV_INSTRUCTION -> lrvInstruction(file);
        };
    }

    private static List<Entry> jsonl(Path file) {
        List<Entry> out = new ArrayList<>();
        for (JsonlReader.Line<PromptRecord> line : JsonlReader.readNonEmpty(file, PromptRecord.class,
                PromptRecord::problem)) {
            out.add(new Entry(line.value(), file + ":" + line.number()));
        }
        return out;
    }

    /** SciGraphQA's LLaVA-style eval questions: {@code {question_id, image, text, category?}}. */
    private static List<Entry> sciGraphQa(Path file) {
        List<Entry> out = new ArrayList<>();
        for (JsonlReader.Line<JsonNode> line : JsonlReader.readNonEmpty(file, JsonNode.class, null)) {
            String where = file + ":" + line.number();
            JsonNode node = requireObject(line.value(), where);
            String id = idField(node, "question_id", where);
            String text = textField(node, "text", where, true);
            String image = textField(node, "image", where, false);
            out.add(new Entry(new PromptRecord(id, image, text, null, null, null), where));
        }
        return out;
    }

    /** LLaVA conversation JSON: the first human turn is the question, the gpt turn after it the gold answer. */
    private static List<Entry> llava(Path file) {
        List<Entry> out = new ArrayList<>();
        for (JsonArrayReader.Element e : JsonArrayReader.readObjects(file)) {
            String where = JsonArrayReader.where(file, e.index());
            JsonNode node = e.value();
            String id = idField(node, "id", where);
            String image = textField(node, "image", where, false);
            JsonNode turns = node.get("conversations");
            if (turns == null || !turns.isArray() || turns.isEmpty()) {
                throw new InvalidInputException(where + ": \"conversations\" must be a non-empty array of turns");
            }
            String question = null;
            String answer = null;
            for (int t = 0; t < turns.size() && answer == null; t++) {
                String turnWhere = where + ".conversations[" + t + "]";
                JsonNode turn = requireObject(turns.get(t), turnWhere);
                String from = textField(turn, "from", turnWhere, true);
                String value = textField(turn, "value", turnWhere, true);
                if (question == null && "human".equals(from)) {
                    question = ImageToken.strip(value);
                } else if (question != null && "gpt".equals(from)) {
                    answer = value;
                }
            }
            if (question == null || question.isBlank()) {
                throw new InvalidInputException(where + ": no \"human\" turn with a question in \"conversations\"");
            }
            out.add(new Entry(new PromptRecord(id, image, question, answer, null, null), where));
        }
        return out;
    }

    /** LRV-Instruction: {@code {image_id, question, answer?}}; the image is Visual Genome's {@code <image_id>.jpg}. */
    private static List<Entry> lrvInstruction(Path file) {
        List<Entry> out = new ArrayList<>();
        for (JsonArrayReader.Element e : JsonArrayReader.readObjects(file)) {
            String where = JsonArrayReader.where(file, e.index());
            JsonNode node = e.value();
            String imageId = idField(node, "image_id", where);
            String question = textField(node, "question", where, true);
            String answer = textField(node, "answer", where, false);
            out.add(new Entry(new PromptRecord(imageId + "-" + e.index(), imageId + ".jpg", question, answer, null,
                    null), where));
        }
        return out;
    }

    private static JsonNode requireObject(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new InvalidInputException(where + ": expected a JSON object");
        }
        return node;
    }

    /** An id given as a string or an integer (the public files use both); anything else is an error. */
    private static String idField(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v != null && v.isIntegralNumber()) {
            return v.asText();
        }
        if (v != null && v.isTextual() && !v.asText().isBlank()) {
            return v.asText();
        }
        throw new InvalidInputException(where + ": \"" + field + "\" must be a non-empty string or an integer"
                + (v == null || v.isNull() ? " (missing)" : " (found " + v.getNodeType().name().toLowerCase() + ")"));
    }

    private static String textField(JsonNode node, String field, String where, boolean required) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new InvalidInputException(where + ": \"" + field + "\" is missing");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new InvalidInputException(where + ": \"" + field + "\" must be a string (found "
                    + v.getNodeType().name().toLowerCase() + ")");
        }
        if (required && v.asText().isBlank()) {
            throw new InvalidInputException(where + ": \"" + field + "\" is empty");
        }
        return v.asText();
    }
}
