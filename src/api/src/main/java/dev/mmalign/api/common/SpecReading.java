package dev.mmalign.api.common;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.function.Supplier;

/**
 * The spec of one custom resource as read from JSON through {@link LenientJson}, with what did not fit.
 *
 * <p>The problems belong to the object that was read from the API server's JSON: a resource serialised again (a
 * JOSDK clone) is written from its typed fields, so its copy reads without problems; the operator therefore asks the
 * informer's cached original (see the operator's ReconcileShell). Writing the stored JSON back instead was tried and
 * left out: a {@code @JsonGetter} for the spec changes the schema Fabric8's CRD generator derives from the class.
 *
 * @param <T> the spec type
 */
public final class SpecReading<T> {

    private final Class<T> type;
    private final Supplier<T> empty;
    private T read;
    private List<String> problems = List.of();

    public SpecReading(Class<T> type, Supplier<T> empty) {
        this.type = type;
        this.empty = empty;
    }

    /** Reads {@code json} and returns the typed spec to set. */
    public T read(JsonNode json) {
        LenientJson.Result<T> result = LenientJson.read(json, "spec", type, empty);
        read = result.value();
        problems = result.problems();
        return read;
    }

    /**
     * The problems of the spec as read, each "path: problem"; empty when it was read faithfully or when
     * {@code current} (the resource's spec now) is no longer the spec that was read.
     */
    public List<String> problems(T current) {
        return current == read ? problems : List.of();
    }
}
