package dev.mmalign.trainer.stage;

import dev.mmalign.api.stage.PathMap;
import dev.mmalign.trainer.data.InvalidInputException;

import java.util.Map;

/** Reads local mode's {@link PathMap} for a stage; a malformed variable is a configuration error (exit code 2). */
final class LocalModePaths {

    private LocalModePaths() {}

    static PathMap fromEnv(Map<String, String> env) {
        return parse(env.get(PathMap.ENV));
    }

    static PathMap parse(String value) {
        try {
            return PathMap.parse(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage());
        }
    }
}
