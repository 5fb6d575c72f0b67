package dev.mmalign.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** Where a resource's artifacts live: a PersistentVolumeClaim, and a folder inside it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageSpec {

    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
    @JsonPropertyDescription("Name of the PersistentVolumeClaim (in the resource's namespace) that holds prompts, images, "
            + "models and outputs. Every path in this resource is relative to it.")
    public String claimName;

    @Pattern("^$|^[^/].*$")
    @JsonPropertyDescription("Folder inside the claim to treat as the root (relative, no leading '/'). Unset or empty: the "
            + "claim's root.")
    public String subPath;

    public StorageSpec() {}

    public StorageSpec(String claimName, String subPath) {
        this.claimName = claimName;
        this.subPath = subPath;
    }
}
