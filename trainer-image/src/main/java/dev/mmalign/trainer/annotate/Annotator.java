package dev.mmalign.trainer.annotate;

/** Rates all completions of one prompt. Implementations are thread-safe: the stage calls them concurrently. */
public interface Annotator {
    GroupOutcome annotate(PromptGroup group) throws InterruptedException;
}
