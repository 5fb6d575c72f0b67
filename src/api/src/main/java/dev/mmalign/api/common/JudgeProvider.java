package dev.mmalign.api.common;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Who rates completions (annotation) or open-ended answers (judge-scored benchmarks). */
public enum JudgeProvider {
    /** Gemini on Vertex AI through Google's Gen AI SDK (the paper's judge). */
    @JsonProperty("vertex-gemini") VERTEX_GEMINI("vertex-gemini"),
    /** Any chat-completions endpoint, e.g. vLLM serving a local judge. */
    @JsonProperty("openai-compatible") OPENAI_COMPATIBLE("openai-compatible"),
    /** Ratings taken from an existing JSONL file (e.g. HelpSteer format). */
    @JsonProperty("import") IMPORT("import"),
    /** Ratings computed from the known ground truth of synthetic data (tests, quickstart). */
    @JsonProperty("oracle") ORACLE("oracle");

    private final String wireName;

    JudgeProvider(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in manifests. */
    public String wireName() {
        return wireName;
    }
}
