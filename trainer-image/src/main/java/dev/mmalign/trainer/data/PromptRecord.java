package dev.mmalign.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One prompt (DESIGN.md §5): {@code {"id","image","question","goldAnswer"?,"source"?}}. {@code image} is relative to
 * the dataset's image root and absent for text-only prompts. {@code truth} is set only by the synthetic world: the
 * known contents the {@code oracle} judge rates from.
 */
public record PromptRecord(String id, String image, String question, String goldAnswer, String source,
                           JsonNode truth) {

    public PromptRecord withSource(String newSource) {
        return new PromptRecord(id, image, question, goldAnswer, newSource, truth);
    }

    public boolean hasImage() {
        return image != null && !image.isBlank();
    }

    /** Null when the record is usable, else what is wrong. */
    public static String problem(PromptRecord p) {
        if (p.id() == null || p.id().isBlank()) return "prompt has no \"id\"";
        if (p.question() == null || p.question().isBlank()) return "prompt " + p.id() + " has no \"question\"";
        return null;
    }
}
