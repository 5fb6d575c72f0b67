package dev.mmalign.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The DPO pair JSON of the paper's code (github.com/findalexli/mllm-dpo, {@code DPODataset} and
 * {@code encode_multimodal_preference_sample} in {@code llava/train/train.py}): one JSON array whose records hold
 * either {@code question}/{@code chosen}/{@code rejected} turns ({@code {"from","value"}}; the question may be the
 * repr of a Python dict, as pandas writes it from a CSV, which their code reads with {@code ast.literal_eval}) or
 * {@code chosen}/{@code rejected} as whole conversations; an optional {@code image} file name; and the reference
 * model's log-probs {@code ref_win_logp}/{@code ref_rej_logp} (summed over the response), with their
 * {@code _avg_logp} and {@code _per_token_logp} companions.
 *
 * <p>Import keeps the summed reference log-probs (our pairs hold exactly those: the paper trains on summed
 * log-probs); the average and per-token ones have no place in our pairs and are dropped. Export writes the
 * question/chosen/rejected form with the summed log-probs where a pair has them; their collator also reads the
 * average and per-token fields, which their own {@code eval_logp_for_ddp} scripts compute, so those are not invented
 * here. Our prompts carry the image as a field; their human turn starts with {@code "<image>\n"} when there is one.
 */
public final class PaperDpoPairs {

    private PaperDpoPairs() {}

    /**
     * The pairs of {@code file}. Image names are joined to {@code imageFolder} (relative to the storage root, or null
     * for none) so that they resolve as our pair files' images do. A record without an id gets {@code pair-<index>}.
     */
    public static List<DpoPairRecord> read(Path file, String imageFolder) {
        List<DpoPairRecord> out = new ArrayList<>();
        for (JsonArrayReader.Element e : JsonArrayReader.readObjects(file)) {
            String where = JsonArrayReader.where(file, e.index());
            out.add(pair(e.value(), e.index(), imageFolder, where));
        }
        return out;
    }

    private static DpoPairRecord pair(JsonNode node, int index, String imageFolder, String where) {
        JsonNode chosenNode = node.get("chosen");
        JsonNode rejectedNode = node.get("rejected");
        String question;
        String chosen;
        String rejected;
        if (chosenNode != null && chosenNode.isArray()) {
            String[] win = conversation(chosenNode, where + ".chosen");
            String[] rej = conversation(rejectedNode, where + ".rejected");
            if (!win[0].equals(rej[0])) {
                throw new InvalidInputException(where + ": the chosen and rejected conversations ask different "
                        + "questions");
            }
            question = win[0];
            chosen = win[1];
            rejected = rej[1];
        } else if (chosenNode != null && chosenNode.isObject()) {
            question = turnValue(questionTurn(node.get("question"), where), "human", where + ".question");
            chosen = turnValue(chosenNode, "gpt", where + ".chosen");
            rejected = turnValue(rejectedNode, "gpt", where + ".rejected");
        } else {
            throw new InvalidInputException(where + ": \"chosen\" must be a turn {from, value} or a conversation "
                    + "(a list of turns)");
        }
        String prompt = ImageToken.strip(question);
        if (prompt.isEmpty()) {
            throw new InvalidInputException(where + ": the question is empty");
        }
        JsonNode image = node.get("image");
        List<String> images = List.of();
        if (image != null && !image.isNull()) {
            if (!image.isTextual() || image.asText().isBlank()) {
                throw new InvalidInputException(where + ": \"image\" must be a file name");
            }
            images = List.of(imageFolder == null || imageFolder.isBlank() ? image.asText()
                    : stripSlash(imageFolder) + "/" + image.asText());
        }
        Double win = logp(node, "ref_win_logp", where);
        Double rej = logp(node, "ref_rej_logp", where);
        if ((win == null) != (rej == null)) {
            throw new InvalidInputException(where + ": ref_win_logp and ref_rej_logp come together (one is missing)");
        }
        JsonNode id = node.get("id");
        String pairId = id != null && (id.isTextual() || id.isIntegralNumber()) && !id.asText().isBlank()
                ? id.asText() : "pair-" + index;
        return new DpoPairRecord(pairId, images, prompt, chosen, rejected, null, null, win, rej);
    }

    /** The question turn: a JSON object, or the repr of a Python dict (their CSV round trip writes that). */
    private static JsonNode questionTurn(JsonNode q, String where) {
        if (q != null && q.isTextual()) {
            try {
                Object parsed = PythonLiteral.parse(q.asText());
                if (parsed instanceof Map<?, ?>) {
                    return Json.MAPPER.valueToTree(parsed);
                }
            } catch (IllegalArgumentException e) {
                // reported below
            }
            throw new InvalidInputException(where + ": \"question\" is a string but not a Python dict literal "
                    + "{'from': 'human', 'value': ...}");
        }
        if (q == null || !q.isObject()) {
            throw new InvalidInputException(where + ": \"question\" (the human turn) is missing");
        }
        return q;
    }

    /** {question, answer} of a two-turn conversation (human, then gpt). */
    private static String[] conversation(JsonNode turns, String where) {
        if (turns == null || !turns.isArray() || turns.size() < 2) {
            throw new InvalidInputException(where + ": expected a conversation of a human and a gpt turn");
        }
        return new String[] {turnValue(turns.get(0), "human", where + "[0]"),
                turnValue(turns.get(1), "gpt", where + "[1]")};
    }

    private static String turnValue(JsonNode turn, String from, String where) {
        if (turn == null || !turn.isObject()) {
            throw new InvalidInputException(where + ": expected a turn {\"from\": \"" + from + "\", \"value\": ...}");
        }
        JsonNode f = turn.get("from");
        JsonNode v = turn.get("value");
        if (f == null || !from.equals(f.asText())) {
            throw new InvalidInputException(where + ": \"from\" must be \"" + from + "\"");
        }
        if (v == null || !v.isTextual()) {
            throw new InvalidInputException(where + ": \"value\" must be a string");
        }
        return v.asText();
    }

    private static Double logp(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() > 0) {
            throw new InvalidInputException(where + ": \"" + field + "\" must be a finite log-probability (<= 0)");
        }
        return v.asDouble();
    }

    /**
     * Writes {@code pairs} in the paper's question/chosen/rejected form. Image paths under {@code imageFolder} are
     * written relative to it (their loader joins names to its own image folder); pairs of more than one image have
     * no form there and are refused.
     */
    public static void write(List<DpoPairRecord> pairs, Path out, String imageFolder) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (DpoPairRecord p : pairs) {
            ObjectNode o = array.addObject();
            o.put("id", p.id());
            List<String> images = p.images() == null ? List.of() : p.images();
            if (images.size() > 1) {
                throw new InvalidInputException("pair " + p.id() + " has " + images.size() + " images; the paper's "
                        + "format holds one");
            }
            if (!images.isEmpty()) {
                o.put("image", relative(images.get(0), imageFolder));
            }
            o.set("question", turn("human", images.isEmpty() ? p.prompt() : ImageToken.prefixed(p.prompt())));
            o.set("chosen", turn("gpt", p.chosen()));
            o.set("rejected", turn("gpt", p.rejected()));
            if (p.hasReference()) {
                o.put("ref_win_logp", p.refChosenLogp());
                o.put("ref_rej_logp", p.refRejectedLogp());
            }
        }
        try {
            AtomicFiles.write(out, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(array));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
    }

    private static ObjectNode turn(String from, String value) {
        ObjectNode t = Json.MAPPER.createObjectNode();
        t.put("from", from);
        t.put("value", value);
        return t;
    }

    private static String relative(String image, String imageFolder) {
        if (imageFolder == null || imageFolder.isBlank()) {
            return image;
        }
        String prefix = stripSlash(imageFolder) + "/";
        return image.startsWith(prefix) ? image.substring(prefix.length()) : image;
    }

    private static String stripSlash(String folder) {
        return folder.endsWith("/") ? folder.substring(0, folder.length() - 1) : folder;
    }
}
