package dev.mmalign.trainer.annotate;

import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.PromptRecord;

import java.util.List;

/** One unit of annotation: a prompt (and the line it came from) with all its completions. */
public record PromptGroup(PromptRecord prompt, long promptLine, List<CompletionRecord> completions) {}
