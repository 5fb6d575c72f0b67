package dev.mmalign.trainer.engine.model;

import java.nio.file.Path;

/**
 * A checkpoint (config, weights or adapter) that the engine cannot run as transformers would: an unsupported config
 * value, a tensor it does not know, a missing one. No retry can fix it; the stage runner turns it into exit code 2.
 * The message names the file and the field or tensor.
 */
public class UnsupportedCheckpointException extends IllegalArgumentException {

    public UnsupportedCheckpointException(Path file, String field, String problem) {
        super(file + ": " + field + ": " + problem);
    }
}
