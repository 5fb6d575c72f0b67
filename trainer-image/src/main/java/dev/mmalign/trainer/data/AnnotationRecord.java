package dev.mmalign.trainer.data;

import java.util.Map;

/**
 * The judge's ratings of one completion (DESIGN.md §5). The K records of one prompt come from one judge request and
 * share its {@code reasoning} and {@code usage}; cost totals therefore count usage once per prompt. With
 * {@code annotation.goldAnswers} they also share {@code goldAnswer}, the judge's own answer to the prompt, and
 * {@code usage} covers both requests.
 */
public record AnnotationRecord(String promptId, String completionId, Map<String, Integer> ratings, String reasoning,
                               String judge, Usage usage, String goldAnswer) {

    /** A rating without a judge's gold answer. */
    public AnnotationRecord(String promptId, String completionId, Map<String, Integer> ratings, String reasoning,
                            String judge, Usage usage) {
        this(promptId, completionId, ratings, reasoning, judge, usage, null);
    }

    public AnnotationRecord withGoldAnswer(String answer, Usage total) {
        return new AnnotationRecord(promptId, completionId, ratings, reasoning, judge, total, answer);
    }

    public static String problem(AnnotationRecord a) {
        if (a.promptId() == null || a.completionId() == null) return "annotation lacks \"promptId\" or \"completionId\"";
        if (a.ratings() == null || a.ratings().isEmpty()) return "annotation " + a.completionId() + " has no \"ratings\"";
        for (Map.Entry<String, Integer> e : a.ratings().entrySet()) {
            Integer v = e.getValue();
            if (v == null || v < 0 || v > 4) {
                return "annotation " + a.completionId() + ": rating " + e.getKey() + "=" + v + " is not an integer 0-4";
            }
        }
        return null;
    }
}
