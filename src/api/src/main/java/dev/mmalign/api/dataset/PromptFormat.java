package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The layout of a prompts file, so that public datasets are read as their authors publish them, with no hand
 * conversion. Each format names the fields the trainer reads; everything else in a record is ignored.
 */
public enum PromptFormat {
    /** Our own JSONL: one {@code {id, image, question, goldAnswer?, source?}} per line. */
    @JsonProperty("jsonl") JSONL,
    /**
     * LLaVA's conversation JSON: an array of {@code {id, image?, conversations:[{from:human, value}, {from:gpt,
     * value}, ...]}}. The first human turn (its {@code <image>} token removed) is the question, the gpt turn after it
     * the gold answer; later turns are not used.
     */
    @JsonProperty("llava") LLAVA,
    /**
     * LRV-Instruction's JSON array of {@code {image_id, question, answer?}} (its {@code evaluation_set.json} and
     * training files). The image is the Visual Genome file {@code <image_id>.jpg}; the prompt id is
     * {@code <image_id>-<index in the array>}, since one image carries several questions.
     */
    @JsonProperty("lrv-instruction") LRV_INSTRUCTION,
    /** SciGraphQA's LLaVA-style question JSONL: one {@code {question_id, image, text, category?}} per line. */
    @JsonProperty("scigraphqa") SCIGRAPHQA
}
