package dev.mmalign.api.stage;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Files a stage reads and writes. {@code storageRoot} is an absolute path in the pod (the PVC mount plus the
 * storage subPath); every other path is relative to it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StagePaths {
    /** Absolute mount point of the storage root inside the pod, e.g. /data. */
    public String storageRoot;
    /** Named inputs, e.g. prompts, completions, annotations, model, dataset, imageRoot. */
    public Map<String, String> inputs = new LinkedHashMap<>();
    /** Folder the stage writes its outputs (and one result-&lt;shard&gt;.json per shard) into. */
    public String outputDir;
    /** Folder of checkpoints (train stage). */
    public String checkpointDir;
    /** Checkpoint to resume from; unset means: the latest complete one in checkpointDir, if any. */
    public String resumeFrom;

    public StagePaths() {}
}
