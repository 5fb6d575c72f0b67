package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.data.JsonlAppender;
import dev.mmalign.trainer.data.SpendRecord;
import dev.mmalign.trainer.data.Usage;
import dev.mmalign.trainer.judge.ImageFiles;
import dev.mmalign.trainer.judge.JudgeParameters;
import dev.mmalign.trainer.judge.JudgeRequest;
import dev.mmalign.trainer.judge.JudgeUnavailableException;
import dev.mmalign.trainer.judge.ResilientJudge;

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
    private final JudgeParameters parameters;
    private final Spend spend;

    /** @param ledger the shard's spend file, appended one line per question asked */
    BenchmarkJudge(ResilientJudge judge, JsonlAppender ledger) {
        this(judge, JudgeParameters.ANNOTATION, new Spend(ledger));
    }

    private BenchmarkJudge(ResilientJudge judge, JudgeParameters parameters, Spend spend) {
        this.judge = judge;
        this.parameters = parameters;
        this.spend = spend;
    }

    /**
     * The same judge (same budget, limits, counts and spend file), sending {@code official}'s sampling parameters.
     */
    BenchmarkJudge with(JudgeParameters official) {
        return new BenchmarkJudge(judge, official, spend);
    }

    /** What this run's questions cost, through this judge and every {@link #with} copy of it. */
    Usage spent() {
        return spend.total();
    }

    /** The spend of one shard's questions, shared by the copies that send other parameters. */
    private static final class Spend {
        private final JsonlAppender ledger;
        private Usage total = Usage.NONE;

        Spend(JsonlAppender ledger) {
            this.ledger = ledger;
        }

        synchronized Usage total() {
            return total;
        }

        synchronized void record(Usage usage, String reason) {
            if (usage == null || usage.requests() == 0) return;
            ledger.append(new SpendRecord(null, reason, usage));
            total = total.plus(usage);
        }
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

    /** As {@link #reply(String, String)} with parameters for this one request (MM-Vet's rising temperature). */
    String reply(String system, String prompt, JudgeParameters once)
            throws JudgeUnavailableException, InterruptedException, BudgetSpent {
        return with(once).reply(system, prompt);
    }

    /** As {@link #ask(String, Path, ResilientJudge.AnswerParser)} with the benchmark's own system message. */
    <T> Verdict<T> ask(String system, String prompt, Path image, ResilientJudge.AnswerParser<T> parser)
            throws JudgeUnavailableException, InterruptedException, BudgetSpent {
        JudgeRequest request = new JudgeRequest(system, prompt,
                image == null ? null : ImageFiles.read(image), image == null ? null : ImageFiles.mimeType(image), null,
                parameters);
        String[] lastText = new String[1];
        ResilientJudge.Outcome<T> outcome;
        try {
            outcome = judge.ask(request, text -> {
                lastText[0] = text;
                return parser.parse(text);
            });
        } catch (JudgeUnavailableException e) {
            spend.record(e.usage(), "judge unavailable");
            throw e;
        }
        spend.record(outcome.usage(), outcome.getClass().getSimpleName());
        if (outcome instanceof ResilientJudge.Answered<T> a) {
            return new Verdict<>(a.value(), null, lastText[0]);
        }
        if (outcome instanceof ResilientJudge.Quarantined<T> q) {
            return new Verdict<>(null, q.reason(), q.lastAnswer());
        }
        throw new BudgetSpent();
    }
}
