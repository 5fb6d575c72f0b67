package dev.mmalign.trainer.judge;

/** One request to a judge model, no retries: {@link ResilientJudge} adds rate limiting, retries and accounting. */
public interface JudgeClient {

    JudgeReply call(JudgeRequest request) throws JudgeCallException;

    /** Name recorded in annotations, e.g. vertex-gemini/gemini-2.5-pro. */
    String name();
}
