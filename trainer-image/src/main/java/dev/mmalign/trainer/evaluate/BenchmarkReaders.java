package dev.mmalign.trainer.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.trainer.data.ClaimPaths;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.engine.data.ImageDecoder;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.data.JsonlReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads benchmark files in their public formats:
 * <ul>
 * <li>POPE: JSONL {@code {"question_id","image","text","label":"yes|no"}}</li>
 * <li>MMBench: VLMEvalKit's TSV, see {@link MmbenchReader}</li>
 * <li>MM-Vet: JSON object {@code {"v1_0": {"imagename","capability":[..],"question","answer"}, ...}} with the
 * grader prompt beside it, see {@link MmVetGrader#loadPrompt}</li>
 * <li>LLaVA-Bench (in the wild): see {@link LlavaBenchReader}</li>
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
            // As published (coco_pope_*.json): exactly "yes" or "no"; anything else is refused rather than read as
            // "yes" the way the reference script would.
            String label = text(q, "label", file, line.number());
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
        return MmbenchReader.read(file, imageRoot, scratch);
    }

    static List<BenchmarkItem> mmVet(Path file, Path imageRoot) {
        JsonNode root = readJson(file);
        String graderPrompt = MmVetGrader.loadPrompt(file);
        List<BenchmarkItem> out = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            JsonNode q = e.getValue();
            if (!q.hasNonNull("question") || !q.hasNonNull("answer") || !q.hasNonNull("imagename")) {
                throw new InvalidInputException(file, "entry " + e.getKey() + " needs imagename, question, answer");
            }
            List<String> capabilities = strings(q.path("capability"));
            if (capabilities.isEmpty() || capabilities.stream().anyMatch(c -> c.contains(","))) {
                throw new InvalidInputException(file, "entry " + e.getKey() + " needs capability, a list of names");
            }
            Map<String, String> tags = Map.of(MmVetScore.CAPABILITIES, String.join(",", capabilities),
                    MmVetGrader.PROMPT_TAG, graderPrompt);
            out.add(new BenchmarkItem(e.getKey(), image(imageRoot, q.get("imagename").asText(), file, 0),
                    List.of(q.get("question").asText()), q.get("answer").asText(), List.of(), null,
                    String.join(",", capabilities), List.of(), tags));
        }
        return out;
    }

    static List<BenchmarkItem> llavaBench(Path file, Path imageRoot) {
        return LlavaBenchReader.read(file, imageRoot);
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

    static Path image(Path imageRoot, String relative, Path file, long line) {
        if (imageRoot == null) {
            throw new InvalidInputException(file, line, "the benchmark has images but no imageRoot is set");
        }
        // Inside the benchmark's image folder (itself checked inside the claim), links followed.
        Path image = new ClaimPaths(imageRoot, "the benchmark's imageRoot").resolve(relative, file + ":" + line + ": image");
        try {
            // Header only: benchmarks ask many questions per image; the engine decodes under the same limits.
            ImageDecoder.checkHeader(image);
        } catch (ImageDecoder.RejectedImageException e) {
            throw new InvalidInputException(file, line, "image " + ClaimPaths.shown(relative) + " " + e.getMessage()
                    + " (looked at " + image + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + image, e);
        }
        return image;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static JsonNode readJson(Path file) {
        try {
            return Json.MAPPER.readTree(BenchmarkFiles.read(file, BenchmarkFiles.MAX_JSON_BYTES, "a JSON benchmark file"));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInputException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    dev.mmalign.trainer.data.JsonProblems.describe(e));
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
