package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.annotate.ImageFiles;
import dev.mmalign.trainer.annotate.JudgeRequest;
import dev.mmalign.trainer.annotate.JudgeUnavailableException;
import dev.mmalign.trainer.annotate.ResilientJudge;
import dev.mmalign.trainer.data.JsonlAppender;
import dev.mmalign.trainer.data.SpendRecord;
import dev.mmalign.trainer.data.Usage;

import java.nio.file.Path;

/**
 * Asks the benchmark judge one free-text question (optionally with the image) and parses its verdict. What every
 * question cost (all its attempts, answered or not) goes to the spend ledger at once, so that a rerun starts its
 * budget from what was really paid and never spends past maxCostUSD.
 */
final class BenchmarkJudge {

    /** Thrown when the budget ran out: the stage stops with exit code 3, samples so far kept. */
    static final class BudgetSpent extends Exception {
        BudgetSpent() {
            super("judge budget spent");
        }
    }

    /** A parsed verdict, or the reason there is none, with the judge's text. */
    record Verdict<T>(T value, String problem, String text) {}

    private final ResilientJudge judge;
    private final JsonlAppender ledger;
    private Usage spent = Usage.NONE;

    /** @param ledger the shard's spend file, appended one line per question asked */
    BenchmarkJudge(ResilientJudge judge, JsonlAppender ledger) {
        this.judge = judge;
        this.ledger = ledger;
    }

    /** What this run's questions cost. */
    synchronized Usage spent() {
        return spent;
    }

    private synchronized void record(Usage usage, String reason) {
        if (usage == null || usage.requests() == 0) return;
        ledger.append(new SpendRecord(null, reason, usage));
        spent = spent.plus(usage);
    }

    <T> Verdict<T> ask(String prompt, Path image, ResilientJudge.AnswerParser<T> parser)
            throws JudgeUnavailableException, InterruptedException, BudgetSpent {
        return ask(JudgePrompts.SYSTEM, prompt, image, parser);
    }

    /**
     * The judge's reply text to a text-only prompt, taken as it is: for graders whose official code parses the reply
     * itself and decides what an unparsable one counts (no re-asking by the resilient judge). Transient errors are
     * still retried. {@code system} null sends no system message.
     */
    String reply(String system, String prompt)
            throws JudgeUnavailableException, InterruptedException, BudgetSpent {
        return ask(system, prompt, null, text -> text == null ? "" : text).value();
    }

    /** As {@link #ask(String, Path, ResilientJudge.AnswerParser)} with the benchmark's own system message. */
    <T> Verdict<T> ask(String system, String prompt, Path image, ResilientJudge.AnswerParser<T> parser)
            throws JudgeUnavailableException, InterruptedException, BudgetSpent {
        JudgeRequest request = new JudgeRequest(system, prompt,
                image == null ? null : ImageFiles.read(image), image == null ? null : ImageFiles.mimeType(image), null);
        String[] lastText = new String[1];
        ResilientJudge.Outcome<T> outcome;
        try {
            outcome = judge.ask(request, text -> {
                lastText[0] = text;
                return parser.parse(text);
            });
        } catch (JudgeUnavailableException e) {
            record(e.usage(), "judge unavailable");
            throw e;
        }
        record(outcome.usage(), outcome.getClass().getSimpleName());
        if (outcome instanceof ResilientJudge.Answered<T> a) {
            return new Verdict<>(a.value(), null, lastText[0]);
        }
        if (outcome instanceof ResilientJudge.Quarantined<T> q) {
            return new Verdict<>(null, q.reason(), q.lastAnswer());
        }
        throw new BudgetSpent();
    }
}
