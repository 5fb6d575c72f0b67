package dev.mmalign.api.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The latest complete checkpoint. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckpointRef {
    @JsonPropertyDescription("Checkpoint folder, relative to the storage root.")
    public String path;
    @JsonPropertyDescription("Optimizer step it was taken at.")
    public Long step;

    public CheckpointRef() {}
}
