package dev.mmalign.trainer.judge;

import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.Usage;
import dev.mmalign.trainer.net.Backoff;
import dev.mmalign.trainer.net.RateLimiter;
import dev.mmalign.trainer.net.Sleeper;

/**
 * A judge call with everything around it: the rate limit, retries with backoff on transient errors and malformed
 * answers (waiting at least what a 429/503's {@code Retry-After} asks), accounting of every request sent (failed
 * ones count as requests; answered ones with their tokens and cost), and the budget check before every attempt.
 * Every outcome carries the usage of all its attempts, so a caller can persist what was paid even for an item that
 * ends without an answer.
 */
public final class ResilientJudge {

    /** Turns an answer text into a value, or says why it is malformed. */
    @FunctionalInterface
    public interface AnswerParser<T> {
        T parse(String text) throws MalformedAnswerException;
    }

    /** How one request ended. */
    public sealed interface Outcome<T> permits Answered, Quarantined, BudgetStop {
        Usage usage();
    }

    public record Answered<T>(T value, Usage usage, int attempts) implements Outcome<T> {}

    /** Malformed through every retry: the reason and the last answer go to the quarantine file. */
    public record Quarantined<T>(String reason, String lastAnswer, Usage usage, int attempts) implements Outcome<T> {}

    /** The budget ran out before an attempt; the item stays undone for a rerun with more budget. */
    public record BudgetStop<T>(Usage usage) implements Outcome<T> {}

    /** A request that got no usable reply: one request, no tokens billed. */
    private static final Usage FAILED_REQUEST = new Usage(1, 0, 0, 0.0);

    private final JudgeClient client;
    private final RateLimiter limiter;
    private final Backoff backoff;
    private final Sleeper sleeper;
    private final int maxRetries;
    private final Prices prices;
    private final CostBudget budget;

    public ResilientJudge(JudgeClient client, RateLimiter limiter, Backoff backoff, Sleeper sleeper, int maxRetries,
                          Prices prices, CostBudget budget) {
        this.client = client;
        this.limiter = limiter;
        this.backoff = backoff;
        this.sleeper = sleeper;
        this.maxRetries = maxRetries;
        this.prices = prices;
        this.budget = budget;
    }

    public String name() {
        return client.name();
    }

    public CostBudget budget() {
        return budget;
    }

    public <T> Outcome<T> ask(JudgeRequest request, AnswerParser<T> parser)
            throws JudgeUnavailableException, InterruptedException {
        Usage usage = Usage.NONE;
        String lastAnswer = null;
        String lastProblem = null;
        JudgeCallException lastTransient = null;
        for (int attempt = 0; attempt <= maxRetries; attempt++) {
            if (attempt > 0) {
                long wait = backoff.delayMillis(attempt - 1);
                if (lastTransient != null && lastTransient.retryAfterMillis() > wait) {
                    wait = lastTransient.retryAfterMillis();
                }
                sleeper.sleep(wait);
            }
            if (budget.exhausted()) {
                return new BudgetStop<>(usage);
            }
            limiter.acquire();
            JudgeReply reply;
            try {
                reply = client.call(request);
            } catch (JudgeCallException e) {
                usage = usage.plus(FAILED_REQUEST); // sent, so counted, whatever came back
                switch (e.kind()) {
                    case FATAL -> throw new InvalidInputException("judge " + client.name()
                            + " rejected the request (check model, project, location, credentials): " + e.getMessage());
                    case TRANSIENT -> {
                        lastTransient = e;
                        lastProblem = null;
                    }
                    case MALFORMED -> {
                        lastTransient = null;
                        lastProblem = e.getMessage();
                    }
                }
                continue;
            }
            double usd = prices.usd(reply.inputTokens(), reply.outputTokens());
            usage = usage.plus(new Usage(1, reply.inputTokens(), reply.outputTokens(), usd));
            budget.spend(usd);
            lastAnswer = reply.text();
            try {
                return new Answered<>(parser.parse(reply.text()), usage, attempt + 1);
            } catch (MalformedAnswerException e) {
                lastTransient = null;
                lastProblem = e.getMessage();
            }
        }
        if (lastTransient != null) {
            throw new JudgeUnavailableException("judge " + client.name() + " still failing after " + (maxRetries + 1)
                    + " attempts: " + lastTransient.getMessage(), lastTransient, usage, maxRetries + 1);
        }
        return new Quarantined<>(lastProblem, abbreviate(lastAnswer), usage, maxRetries + 1);
    }

    private static String abbreviate(String s) {
        if (s == null) return null;
        return s.length() <= 4000 ? s : s.substring(0, 4000) + "…";
    }
}
