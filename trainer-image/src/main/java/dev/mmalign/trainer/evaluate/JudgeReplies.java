package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.annotate.JudgeParameters;
import dev.mmalign.trainer.annotate.JudgeUnavailableException;

/** A judge's raw reply to one prompt; {@code system} null sends no system message. */
@FunctionalInterface
interface JudgeReplies {
    String reply(String system, String prompt, JudgeParameters parameters)
            throws JudgeUnavailableException, InterruptedException, BenchmarkJudge.BudgetSpent;
}
