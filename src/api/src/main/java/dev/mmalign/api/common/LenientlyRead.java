package dev.mmalign.api.common;

import java.util.List;

/** A custom resource whose spec is read with {@link LenientJson}: it reads whatever the API server stored. */
public interface LenientlyRead {

    /**
     * Values of the stored spec that did not fit its type and were left out, each "path: problem", e.g.
     * {@code spec.sampling.temperature: "hot" is not a number}; empty for a spec read as stored.
     */
    List<String> specProblems();
}
