package dev.mmalign.trainer.stage;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmalign.api.stage.PathMap;
import dev.mmalign.api.stage.PodContract;
import dev.mmalign.api.stage.Shard;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.InvalidInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the stage spec the operator mounts at /etc/mmalign/stage.json. Strict: an unknown field or enum value is a
 * configuration error (exit code 2) naming the file and line, because a silently ignored typo would run the wrong
 * experiment.
 */
public final class StageSpecLoader {

    private static final ObjectMapper STRICT = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);

    private StageSpecLoader() {}

    public static StageSpec load(Path file, StageName expected, Map<String, String> env) {
        return load(file, expected, env, LocalModePaths.fromEnv(env));
    }

    /**
     * The spec file a stage reads: the argument as given when it exists (local mode already rewrote it to a local
     * path), else the in-pod path mapped through {@code pathMap}. Mapping an already-local path would map it twice
     * when the local folder itself lies under a mapped pod path such as /tmp.
     */
    public static Path locate(Path specArgument, PathMap pathMap) {
        return Files.exists(specArgument) ? specArgument : pathMap.map(specArgument);
    }

    /**
     * Reads and checks the spec; {@code paths.storageRoot} (the one absolute path in it, an in-pod mount point) is
     * translated with {@code pathMap}, so every path the stage resolves against it is local in local mode.
     */
    public static StageSpec load(Path file, StageName expected, Map<String, String> env, PathMap pathMap) {
        StageSpec spec;
        try {
            spec = STRICT.readValue(Files.readString(file), StageSpec.class);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file, "stage spec not found");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            long line = at == null ? 0 : at.getLineNr();
            throw new InvalidInputException(file, line, "invalid stage spec: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (spec == null) {
            throw new InvalidInputException(file, "stage spec is empty");
        }
        if (spec.stage != null && spec.stage != expected) {
            throw new InvalidInputException(file, "stage spec is for stage " + spec.stage + ", not " + expected);
        }
        if (spec.paths == null || spec.paths.storageRoot == null || spec.paths.outputDir == null) {
            throw new InvalidInputException(file, "paths.storageRoot and paths.outputDir are required");
        }
        spec.paths.storageRoot = pathMap.map(spec.paths.storageRoot);
        // Kubernetes sets the index in each pod of an Indexed Job; it overrides the shard index in the spec.
        spec.shard = resolveShard(file, spec.shard == null ? new Shard() : spec.shard,
                env.get(PodContract.ENV_JOB_COMPLETION_INDEX));
        return spec;
    }

    private static Shard resolveShard(Path file, Shard fromSpec, String indexFromEnv) {
        int index = fromSpec.index;
        if (indexFromEnv != null && !indexFromEnv.isBlank()) {
            try {
                index = Integer.parseInt(indexFromEnv.trim());
            } catch (NumberFormatException e) {
                throw new InvalidInputException(PodContract.ENV_JOB_COMPLETION_INDEX + "=" + indexFromEnv
                        + " is not an integer");
            }
        }
        try {
            return new Shard(index, fromSpec.count);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file, e.getMessage());
        }
    }
}
