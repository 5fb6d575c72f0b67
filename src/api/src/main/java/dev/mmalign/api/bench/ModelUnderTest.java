package dev.mmalign.api.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.Map;

/** A model a suite evaluates: a model folder, or an AlignmentRun's output. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.path) != has(self.alignmentRun)", message = "set exactly one of path and alignmentRun")
public class ModelUnderTest {

    @Required
    @Size(max = 40)
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @JsonPropertyDescription("Name of the model in results (a DNS label, unique within the suite).")
    public String name;

    @JsonPropertyDescription("Hugging Face layout model folder, relative to the storage root.")
    public String path;

    @JsonPropertyDescription("AlignmentRun in the same namespace whose output is evaluated (waits until it Succeeded).")
    public String alignmentRun;

    @Default("false")
    @JsonPropertyDescription("With alignmentRun: evaluate the merged model instead of base + adapter.")
    public Boolean merged = false;

    @Size(max = 5)
    @JsonPropertyDescription("Set by an AlignmentSweep for its child runs: the run's value on each of the sweep's axes "
            + "(see sweepAxes), by axis name.")
    public Map<String, String> sweepPoint;

    public ModelUnderTest() {}
}
