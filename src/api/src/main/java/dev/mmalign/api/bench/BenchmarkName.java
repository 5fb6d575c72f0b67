package dev.mmalign.api.bench;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Built-in benchmarks, each read from a file in its public format. */
public enum BenchmarkName {
    /** Object hallucination yes/no questions: accuracy, precision, recall, F1, yes-ratio. */
    @JsonProperty("pope") POPE("pope", false),
    /** Multiple choice with circular evaluation (every rotation of the options must be answered right). */
    @JsonProperty("mmbench") MMBENCH("mmbench", false),
    /** Open-ended visual questions scored 0-1 by a judge against a reference answer. */
    @JsonProperty("mm-vet") MM_VET("mm-vet", true),
    /** LLaVA-Bench (in the wild): judge-scored relative to a reference answer. */
    @JsonProperty("llava-bench") LLAVA_BENCH("llava-bench", true),
    /** MT-Bench: judge-scored 1-10 multi-turn text questions. */
    @JsonProperty("mt-bench") MT_BENCH("mt-bench", true),
    /** AlpacaEval: judge win rate against reference outputs. */
    @JsonProperty("alpaca-eval") ALPACA_EVAL("alpaca-eval", true),
    /** Short-answer questions scored by normalised exact match (the quickstart's text-only and synthetic sets). */
    @JsonProperty("exact-match") EXACT_MATCH("exact-match", false);

    private final String wireName;
    private final boolean judgeScored;

    BenchmarkName(String wireName, boolean judgeScored) {
        this.wireName = wireName;
        this.judgeScored = judgeScored;
    }

    /** The name used in manifests. */
    public String wireName() {
        return wireName;
    }

    /** Whether scores come from a judge model (then the suite needs spec.judge). */
    public boolean judgeScored() {
        return judgeScored;
    }
}
