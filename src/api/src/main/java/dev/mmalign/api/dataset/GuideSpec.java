package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A labelling guide kept in a ConfigMap, replacing the built-in HelpSteer guide. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GuideSpec {

    @Required
    @JsonPropertyDescription("ConfigMap in the resource's namespace holding the guide.")
    public String configMapName;

    @Required
    @JsonPropertyDescription("Key of the ConfigMap whose value is the guide text (Markdown or plain text).")
    public String key;

    public GuideSpec() {}
}
