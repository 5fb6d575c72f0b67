package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How SteerLM attribute values are written into the prompt. */
public enum SteerLMTemplate {
    /**
     * The paper's: appended to the question, "Please answer the question such that your response is in the following
     * attributes in 5-point Likert scale:\nHelpfulness:4,Correctness:4,...".
     */
    @JsonProperty("natural-language") NATURAL_LANGUAGE,
    /** NeMo-Aligner's: "<extra_id_2>helpfulness:4,correctness:4,...". */
    @JsonProperty("nemo") NEMO
}
