package dev.mmalign.trainer.sets;

import dev.mmalign.trainer.data.PromptRecord;

import java.util.List;

/** A prompt and its rated completions, in completion-id order. */
public record AnnotatedPrompt(PromptRecord prompt, List<ScoredCompletion> completions) {

    /** The prompt's image list in TRL form: one relative path, or none for text-only prompts. */
    public List<String> images() {
        return prompt.hasImage() ? List.of(prompt.image()) : List.of();
    }
}
