package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The five HelpSteer attributes the judge rates 0-4 (paper Table 1). */
public enum HelpSteerAttribute {
    @JsonProperty("helpfulness") HELPFULNESS,
    @JsonProperty("correctness") CORRECTNESS,
    @JsonProperty("coherence") COHERENCE,
    @JsonProperty("complexity") COMPLEXITY,
    @JsonProperty("verbosity") VERBOSITY;

    /** The lower-case name used in manifests and JSONL files. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
