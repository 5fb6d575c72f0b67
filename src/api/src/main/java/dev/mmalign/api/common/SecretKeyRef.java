package dev.mmalign.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;

/** A key of a Secret in the resource's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretKeyRef {

    @Required
    @JsonPropertyDescription("Secret name.")
    public String name;

    @Default("credentials")
    @JsonPropertyDescription("Key inside the Secret.")
    public String key = "credentials";

    public SecretKeyRef() {}
}
