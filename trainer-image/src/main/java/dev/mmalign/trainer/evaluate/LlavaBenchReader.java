package dev.mmalign.trainer.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.data.JsonlReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * LLaVA-Bench (in the wild) as published (liuhaotian/llava-bench-in-the-wild): the questions file named by dataPath
 * ({@code questions.jsonl}; {@code {"question_id","image","text","category"}}) and beside it
 * <ul>
 * <li>the reference answers: the one {@code *.jsonl} whose name contains "gpt4" ({@code answers_gpt4.jsonl}, or
 * {@code qa90_gpt4_answer.jsonl} beside {@code qa90_questions.jsonl}), matched by question_id;</li>
 * <li>{@code context.jsonl}: the captions the judge reads instead of the image, by image file name;</li>
 * <li>{@code rule.json}: LLaVA's judge prompts, looked up by "llava_bench_" + category as
 * llava/eval/eval_gpt_review_bench.py does.</li>
 * </ul>
 * What the judge needs goes into the item's tags. A missing file is invalid input naming it.
 */
final class LlavaBenchReader {

    static final String CONTEXT_FILE = "context.jsonl";
    static final String RULE_FILE = "rule.json";
    static final String RULE_PREFIX = "llava_bench_";

    private LlavaBenchReader() {}

    static List<BenchmarkItem> read(Path file, Path imageRoot) {
        Path answersFile = referenceFile(file);
        Map<String, String> references = new HashMap<>();
        for (JsonlReader.Line<JsonNode> line : JsonlReader.readLines(answersFile, JsonNode.class, null)) {
            references.put(text(line.value(), "question_id", answersFile, line.number()),
                    text(line.value(), "text", answersFile, line.number()));
        }
        Path contextFile = required(file.resolveSibling(CONTEXT_FILE), "the judge's image captions");
        Map<String, String> captions = new HashMap<>();
        for (JsonlReader.Line<JsonNode> line : JsonlReader.readLines(contextFile, JsonNode.class, null)) {
            JsonNode caption = line.value().get("caption");
            if (caption == null || caption.isNull()) {
                throw new InvalidInputException(contextFile, line.number(), "missing field \"caption\"");
            }
            captions.put(text(line.value(), "image", contextFile, line.number()), LlavaBenchReview.captions(caption));
        }
        Path ruleFile = required(file.resolveSibling(RULE_FILE), "LLaVA's judge prompts");
        JsonNode rules = readJson(ruleFile);
        List<BenchmarkItem> out = new ArrayList<>();
        for (JsonlReader.Line<JsonNode> line : JsonlReader.readLines(file, JsonNode.class, null)) {
            JsonNode q = line.value();
            long n = line.number();
            String id = text(q, "question_id", file, n);
            String reference = references.get(id);
            if (reference == null) {
                throw new InvalidInputException(file, n, "no reference answer for question " + id + " in "
                        + answersFile.getFileName());
            }
            String imageName = text(q, "image", file, n);
            String context = captions.get(imageName);
            if (context == null) {
                throw new InvalidInputException(file, n, "no caption for image " + imageName + " in " + CONTEXT_FILE);
            }
            String category = text(q, "category", file, n);
            JsonNode rule = rules.get(RULE_PREFIX + category);
            if (rule == null || !rule.hasNonNull("prompt") || !rule.hasNonNull("role")) {
                throw new InvalidInputException(file, n, "category " + category + ": no \"" + RULE_PREFIX + category
                        + "\" with prompt and role in " + ruleFile.getFileName());
            }
            Map<String, String> tags = Map.of(LlavaBenchReview.CONTEXT, context,
                    LlavaBenchReview.RULE_PROMPT, rule.get("prompt").asText(),
                    LlavaBenchReview.RULE_ROLE, rule.get("role").asText());
            out.add(new BenchmarkItem(id, BenchmarkReaders.image(imageRoot, imageName, file, n),
                    List.of(text(q, "text", file, n)), reference, List.of(), null, category, List.of(), tags));
        }
        return out;
    }

    /** The reference answers beside the questions: the single *.jsonl with "gpt4" in its name. */
    static Path referenceFile(Path questions) {
        Path dir = questions.toAbsolutePath().getParent();
        List<Path> candidates;
        try (Stream<Path> files = Files.list(dir)) {
            candidates = files.filter(p -> {
                String name = p.getFileName().toString();
                return name.endsWith(".jsonl") && name.contains("gpt4") && !p.equals(questions.toAbsolutePath());
            }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (candidates.size() != 1) {
            throw new InvalidInputException(questions, (candidates.isEmpty() ? "no" : "more than one")
                    + " reference answers file beside the questions (one *.jsonl with \"gpt4\" in its name, e.g. "
                    + "answers_gpt4.jsonl or qa90_gpt4_answer.jsonl)" + (candidates.isEmpty() ? ""
                    : ": " + candidates.stream().map(p -> p.getFileName().toString()).toList()));
        }
        return candidates.get(0);
    }

    private static Path required(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file, "missing: LLaVA-Bench needs " + file.getFileName() + " (" + what
                    + ") beside its questions, as published");
        }
        return file;
    }

    private static JsonNode readJson(Path file) {
        try {
            return Json.MAPPER.readTree(BenchmarkFiles.read(file, BenchmarkFiles.MAX_JSON_BYTES, "a JSON benchmark file"));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInputException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(JsonNode node, String field, Path file, long line) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || v.isContainerNode()) {
            throw new InvalidInputException(file, line, "missing field \"" + field + "\"");
        }
        return v.asText();
    }
}
