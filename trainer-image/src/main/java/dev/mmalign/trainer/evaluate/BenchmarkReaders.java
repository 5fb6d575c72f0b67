package dev.mmalign.trainer.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.data.JsonlReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads benchmark files in their public formats:
 * <ul>
 * <li>POPE: JSONL {@code {"question_id","image","text","label":"yes|no"}}</li>
 * <li>MMBench: TSV with a header {@code index, question, hint, A, B, C, D, answer, category, image}; the image column
 * is base64 (as published) or a path under the image root</li>
 * <li>MM-Vet: JSON object {@code {"v1_0": {"imagename","question","answer"}, ...}}</li>
 * <li>LLaVA-Bench (in the wild): {@code questions.jsonl} {@code {"question_id","image","text","category"}} with the
 * reference answers in {@code answers_gpt4.jsonl} beside it</li>
 * <li>MT-Bench: FastChat's files, see {@link MtBench}</li>
 * <li>AlpacaEval: {@code alpaca_eval.json} and the annotator template, see {@link AlpacaEval}</li>
 * <li>exact-match: JSONL {@code {"id","question","answer","image"?}}</li>
 * </ul>
 * Every problem is invalid input naming the file and line (or row).
 */
public final class BenchmarkReaders {

    private BenchmarkReaders() {}

    /** @param scratch folder for images decoded from base64 */
    public static List<BenchmarkItem> read(BenchmarkName name, Path file, Path imageRoot, Path scratch) {
        return switch (name) {
            case POPE -> pope(file, imageRoot);
            case MMBENCH -> mmbench(file, imageRoot, scratch);
            case MM_VET -> mmVet(file, imageRoot);
            case LLAVA_BENCH -> llavaBench(file, imageRoot);
            case MT_BENCH -> MtBench.read(file);
            case ALPACA_EVAL -> AlpacaEval.read(file);
            case EXACT_MATCH -> exactMatch(file, imageRoot);
        };
    }

    static List<BenchmarkItem> pope(Path file, Path imageRoot) {
        List<BenchmarkItem> out = new ArrayList<>();
        for (JsonlReader.Line<JsonNode> line : JsonlReader.readLines(file, JsonNode.class, null)) {
            JsonNode q = line.value();
            String label = text(q, "label", file, line.number()).trim().toLowerCase(java.util.Locale.ROOT);
            if (!label.equals("yes") && !label.equals("no")) {
                throw new InvalidInputException(file, line.number(), "label must be yes or no, got " + label);
            }
            out.add(new BenchmarkItem(text(q, "question_id", file, line.number()),
                    image(imageRoot, text(q, "image", file, line.number()), file, line.number()),
                    List.of(text(q, "text", file, line.number())), label, List.of(), null, q.path("category").asText(null),
                    List.of()));
        }
        return out;
    }

    static List<BenchmarkItem> mmbench(Path file, Path imageRoot, Path scratch) {
        List<String> lines = lines(file);
        if (lines.isEmpty()) throw new InvalidInputException(file, "empty TSV");
        List<String> header = List.of(lines.get(0).split("\t", -1));
        for (String required : List.of("index", "question", "answer", "image", "A", "B")) {
            if (!header.contains(required)) {
                throw new InvalidInputException(file, 1, "TSV header lacks column " + required);
            }
        }
        List<BenchmarkItem> out = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            if (lines.get(n).isBlank()) continue;
            String[] cells = lines.get(n).split("\t", -1);
            if (cells.length != header.size()) {
                throw new InvalidInputException(file, n + 1, "expected " + header.size() + " columns, found "
                        + cells.length);
            }
            Map<String, String> row = new HashMap<>();
            for (int c = 0; c < cells.length; c++) row.put(header.get(c), cells[c]);
            List<String> options = new ArrayList<>();
            for (String letter : List.of("A", "B", "C", "D", "E")) {
                String o = row.get(letter);
                if (o != null && !o.isBlank() && !o.equals("nan")) options.add(o);
            }
            String answer = row.get("answer").trim();
            if (answer.length() != 1 || answer.charAt(0) - 'A' < 0 || answer.charAt(0) - 'A' >= options.size()) {
                throw new InvalidInputException(file, n + 1, "answer " + answer + " is not one of the option letters");
            }
            String hint = row.get("hint");
            out.add(new BenchmarkItem(row.get("index"), mmbenchImage(row.get("image"), row.get("index"), imageRoot,
                    scratch, file, n + 1), List.of(row.get("question")), answer, options,
                    hint == null || hint.isBlank() || hint.equals("nan") ? null : hint, row.get("category"), List.of()));
        }
        return out;
    }

    private static Path mmbenchImage(String cell, String index, Path imageRoot, Path scratch, Path file, long line) {
        Path asPath = imageRoot == null ? null : imageRoot.resolve(cell).normalize();
        if (asPath != null && cell.length() < 512 && Files.isRegularFile(asPath)) {
            return asPath;
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(cell.trim());
            Path image = scratch.resolve("mmbench-" + index + ".png");
            Files.createDirectories(scratch);
            Files.write(image, bytes);
            return image;
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file, line, "image is neither a file under the image root nor base64");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<BenchmarkItem> mmVet(Path file, Path imageRoot) {
        JsonNode root = readJson(file);
        List<BenchmarkItem> out = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            JsonNode q = e.getValue();
            if (!q.hasNonNull("question") || !q.hasNonNull("answer") || !q.hasNonNull("imagename")) {
                throw new InvalidInputException(file, "entry " + e.getKey() + " needs imagename, question, answer");
            }
            out.add(new BenchmarkItem(e.getKey(), image(imageRoot, q.get("imagename").asText(), file, 0),
                    List.of(q.get("question").asText()), q.get("answer").asText(), List.of(), null,
                    q.path("capability").toString(), List.of()));
        }
        return out;
    }

    static List<BenchmarkItem> llavaBench(Path file, Path imageRoot) {
        Path answersFile = file.resolveSibling("answers_gpt4.jsonl");
        Map<String, String> references = new HashMap<>();
        for (JsonlReader.Line<JsonNode> line : JsonlReader.readLines(answersFile, JsonNode.class, null)) {
            references.put(text(line.value(), "question_id", answersFile, line.number()),
                    text(line.value(), "text", answersFile, line.number()));
        }
        List<BenchmarkItem> out = new ArrayList<>();
        for (JsonlReader.Line<JsonNode> line : JsonlReader.readLines(file, JsonNode.class, null)) {
            JsonNode q = line.value();
            String id = text(q, "question_id", file, line.number());
            String reference = references.get(id);
            if (reference == null) {
                throw new InvalidInputException(file, line.number(), "no reference answer for question " + id
                        + " in " + answersFile.getFileName());
            }
            out.add(new BenchmarkItem(id, image(imageRoot, text(q, "image", file, line.number()), file, line.number()),
                    List.of(text(q, "text", file, line.number())), reference, List.of(), null,
                    q.path("category").asText(null), List.of()));
        }
        return out;
    }

    static List<BenchmarkItem> exactMatch(Path file, Path imageRoot) {
        List<BenchmarkItem> out = new ArrayList<>();
        for (JsonlReader.Line<JsonNode> line : JsonlReader.readLines(file, JsonNode.class, null)) {
            JsonNode q = line.value();
            Path image = q.hasNonNull("image") ? image(imageRoot, q.get("image").asText(), file, line.number()) : null;
            out.add(new BenchmarkItem(text(q, "id", file, line.number()), image,
                    List.of(text(q, "question", file, line.number())), text(q, "answer", file, line.number()),
                    List.of(), null, q.path("category").asText(null), List.of()));
        }
        return out;
    }

    private static String text(JsonNode node, String field, Path file, long line) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || v.isContainerNode()) {
            throw new InvalidInputException(file, line, "missing field \"" + field + "\"");
        }
        return v.asText();
    }

    private static Path image(Path imageRoot, String relative, Path file, long line) {
        if (imageRoot == null) {
            throw new InvalidInputException(file, line, "the benchmark has images but no imageRoot is set");
        }
        Path image = imageRoot.resolve(relative).normalize();
        if (!Files.isRegularFile(image)) {
            throw new InvalidInputException(file, line, "image " + relative + " not found (looked at " + image + ")");
        }
        return image;
    }

    private static JsonNode readJson(Path file) {
        try {
            return Json.MAPPER.readTree(Files.readString(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new InvalidInputException(file, "file not found");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInputException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new InvalidInputException(file, "file not found");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
