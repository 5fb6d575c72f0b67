package dev.mmalign.api.bench;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A non-informative image put in the context of a text-only benchmark (the paper's noisy-image MT-Bench). */
public enum NoisyImage {
    /** No image: the benchmark as published. */
    @JsonProperty("none") NONE,
    /** A blank (uniform grey) image. */
    @JsonProperty("blank") BLANK,
    /** Uniform random pixels, seeded per question. */
    @JsonProperty("random") RANDOM,
    /**
     * A real photo drawn from {@code noisyImageDir}, redrawn for every turn (seeded by question and turn), as the
     * paper's code puts a random COCO image before each MT-Bench turn.
     */
    @JsonProperty("photos") PHOTOS
}
