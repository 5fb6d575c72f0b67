package dev.mmalign.trainer.evaluate;

import java.nio.file.Path;
import java.util.List;

/**
 * One question of a benchmark, in a shape common to all formats: an image (null for text-only), the user turns (one,
 * or two for MT-Bench), the expected answer (label, option letter, short answer or reference text; null where none),
 * the options of a multiple-choice question (else empty), and a category.
 */
public record BenchmarkItem(String id, Path image, List<String> turns, String answer, List<String> options,
                            String hint, String category, List<String> referenceTurns) {

    public BenchmarkItem withImage(Path newImage) {
        return new BenchmarkItem(id, newImage, turns, answer, options, hint, category, referenceTurns);
    }
}
