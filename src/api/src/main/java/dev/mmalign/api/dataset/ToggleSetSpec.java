package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** A training set with no options but whether to build it (the standard-SFT set from gold answers). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ToggleSetSpec {

    @Default("true")
    @JsonPropertyDescription("Build this set.")
    public Boolean enabled = true;

    public ToggleSetSpec() {}
}
