package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.judge.JudgeParameters;
import dev.mmalign.trainer.judge.JudgeUnavailableException;

/** A judge's raw reply to one prompt; {@code system} null sends no system message. */
@FunctionalInterface
interface JudgeReplies {
    String reply(String system, String prompt, JudgeParameters parameters)
            throws JudgeUnavailableException, InterruptedException, BenchmarkJudge.BudgetSpent;
}
