package dev.mmalign.api.dataset;

import io.fabric8.generator.annotation.ValidationRule;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;

import java.util.List;

/** SteerLM: every completion is an SFT target, conditioned on its own attribute values. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SteerLMSetSpec {

    @Default("true")
    @JsonPropertyDescription("Build the SteerLM set.")
    public Boolean enabled = true;

    @Default("natural-language")
    @JsonPropertyDescription("natural-language (the paper's) or nemo (NeMo-Aligner's <extra_id_2> form).")
    public SteerLMTemplate template = SteerLMTemplate.NATURAL_LANGUAGE;

    @Default("[\"helpfulness\",\"correctness\",\"coherence\",\"complexity\",\"verbosity\"]")
    @Size(min = 1, max = 5)
    @ValidationRule(value = "self.all(a, self.exists_one(b, b == a))", message = "attributes must be unique")
    @JsonPropertyDescription("Attributes written into the condition, in this order.")
    public List<HelpSteerAttribute> attributes = List.of(HelpSteerAttribute.values());

    public SteerLMSetSpec() {}
}
