package dev.mmalign.trainer.data;

/**
 * A prompt set aside with the reason: the judge's answers stayed malformed after every retry (the last answer, cut to
 * a few KB, is kept), the import file did not rate it fully, or — {@code judgeUnavailable} — the judge kept failing
 * (429, 5xx, timeouts) through every retry, with the last error as reason. Reruns skip the first kinds (delete the
 * line to try again) and ask again for the last. Its usage is every attempt's, so the cost is never lost.
 */
public record QuarantineRecord(String promptId, String reason, int attempts, String lastAnswer, String judge,
                               Usage usage, boolean judgeUnavailable) {

    public QuarantineRecord(String promptId, String reason, int attempts, String lastAnswer, String judge,
                            Usage usage) {
        this(promptId, reason, attempts, lastAnswer, judge, usage, false);
    }
}
