package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the rejected completion of a DPO pair is chosen. */
public enum RejectedSelection {
    /** A random completion scoring at least minMargin below the best (the paper's text). */
    @JsonProperty("random-below-margin") RANDOM_BELOW_MARGIN,
    /** The worst completion, when it scores at least minMargin below the best (the authors' notebook). */
    @JsonProperty("worst") WORST
}
