package dev.mmalign.trainer.stage;

import dev.mmalign.api.stage.Shard;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.ClaimPaths;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.progress.ProgressReporter;

import java.nio.file.Path;

/** What a running stage needs besides its parameters: where files are, which shard it is, where progress goes. */
public final class StageContext {

    private final StageSpec spec;
    private final Path specFile;
    private final Path storageRoot;
    private final ClaimPaths claim;
    private final ProgressReporter progress;
    private final StopSignal stop;

    public StageContext(StageSpec spec, Path specFile, ProgressReporter progress, StopSignal stop) {
        this.spec = spec;
        this.specFile = specFile;
        this.storageRoot = Path.of(spec.paths.storageRoot).toAbsolutePath().normalize();
        this.claim = new ClaimPaths(storageRoot);
        this.progress = progress;
        this.stop = stop;
    }

    public StageSpec spec() {
        return spec;
    }

    public Path specFile() {
        return specFile;
    }

    public Shard shard() {
        return spec.shard;
    }

    public ProgressReporter progress() {
        return progress;
    }

    public StopSignal stop() {
        return stop;
    }

    public Path storageRoot() {
        return storageRoot;
    }

    /** The resolver that keeps paths from data files (images) inside the storage root. */
    public ClaimPaths claim() {
        return claim;
    }

    /**
     * A path of the spec, relative to the storage root; one that leaves it (.., absolute, a link pointing out) is
     * an exit-2 error naming the spec file and {@code field}.
     */
    public Path resolve(String relative, String field) {
        return claim.resolve(relative, specFile + ": " + field);
    }

    public Path outputDir() {
        return resolve(spec.paths.outputDir, "paths.outputDir");
    }

    /** A named input of paths.inputs, or an exit-2 error naming the spec file when it is missing. */
    public Path requiredInput(String key) {
        String value = spec.paths.inputs == null ? null : spec.paths.inputs.get(key);
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(specFile, "paths.inputs." + key + " is required for stage " + spec.stage);
        }
        return resolve(value, "paths.inputs." + key);
    }

    /** A named input, or null when absent. */
    public Path optionalInput(String key) {
        String value = spec.paths.inputs == null ? null : spec.paths.inputs.get(key);
        return value == null || value.isBlank() ? null : resolve(value, "paths.inputs." + key);
    }

    /** The storage-relative form of a path under the storage root, for result artifacts. */
    public String relative(Path path) {
        return storageRoot.relativize(path.toAbsolutePath().normalize()).toString();
    }
}
