package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonProperty;

/** File formats of annotation.humanRatings. */
public enum HumanRatingsFormat {
    /**
     * JSONL, one rated completion a line, in HelpSteer's shape {@code {"prompt","response","helpfulness":3,...}}
     * (matched by question and response text), or naming the completion by {@code completionId} or by
     * {@code promptId} + {@code completionIndex}; attribute values 0-4, either top-level or under {@code ratings}.
     */
    @JsonProperty("helpsteer") HELPSTEER
}
