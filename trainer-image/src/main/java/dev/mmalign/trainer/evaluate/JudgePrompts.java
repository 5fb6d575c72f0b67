package dev.mmalign.trainer.evaluate;

/**
 * The system message of benchmark judge requests that have no official one. Each judge-scored benchmark reads its
 * prompts from the benchmark's published files and parses the replies as its official code does: {@link MtBench},
 * {@link AlpacaEval}, {@link LlavaBenchReview}, {@link MmVetGrader}.
 */
public final class JudgePrompts {

    public static final String SYSTEM = "You are a helpful and precise assistant for checking the quality of answers.";

    private JudgePrompts() {}
}
