package dev.mmalign.trainer.data;

/** One sampled completion (DESIGN.md §5). {@code completionId} is {@code <promptId>#<j>}. */
public record CompletionRecord(String promptId, String completionId, String text, String model, Double temperature,
                               Long seed) {

    public static String idOf(String promptId, int index) {
        return promptId + "#" + index;
    }

    public static String problem(CompletionRecord c) {
        if (c.promptId() == null || c.promptId().isBlank()) return "completion has no \"promptId\"";
        if (c.completionId() == null || c.completionId().isBlank()) return "completion has no \"completionId\"";
        if (c.text() == null) return "completion " + c.completionId() + " has no \"text\"";
        return null;
    }
}
