package dev.mmalign.trainer.evaluate;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One question of a benchmark, in a shape common to all formats: an image (null for text-only), the user turns (one,
 * or two for MT-Bench), the expected answer (label, option letter, short answer or reference text; null where none),
 * the options of a multiple-choice question (else empty), and a category. {@code tags} hold what only one benchmark
 * needs to score or break down its results (MMBench's l2-category, MM-Vet's capabilities, LLaVA-Bench's judge
 * context); empty for the others.
 */
public record BenchmarkItem(String id, Path image, List<String> turns, String answer, List<String> options,
                            String hint, String category, List<String> referenceTurns, Map<String, String> tags) {

    public BenchmarkItem {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    public BenchmarkItem(String id, Path image, List<String> turns, String answer, List<String> options, String hint,
                         String category, List<String> referenceTurns) {
        this(id, image, turns, answer, options, hint, category, referenceTurns, Map.of());
    }

    public BenchmarkItem withImage(Path newImage) {
        return new BenchmarkItem(id, newImage, turns, answer, options, hint, category, referenceTurns, tags);
    }

    /** The tag's value, or null. */
    public String tag(String name) {
        return tags.get(name);
    }
}
