package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.Mmalign;
import dev.mmalign.api.common.LenientJson;
import dev.mmalign.api.common.LenientlyRead;
import dev.mmalign.api.common.SpecReading;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

import java.util.List;

/** Image + question prompts turned into judged completions and DPO / SFT training sets. */
@JsonIgnoreProperties(ignoreUnknown = true)
@Group(Mmalign.GROUP)
@Version(Mmalign.VERSION)
@ShortNames({"pds", "prefds"})
@Categories(Mmalign.CATEGORY)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Prompts", jsonPath = ".status.counts.prompts", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Annotated", jsonPath = ".status.counts.annotated", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Pairs", jsonPath = ".status.counts.dpoPairs", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Progress", jsonPath = ".status.progress.percent", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Cost-USD", jsonPath = ".status.cost.usd", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class PreferenceDataset extends CustomResource<PreferenceDatasetSpec, PreferenceDatasetStatus>
        implements Namespaced, LenientlyRead {

    @Override
    protected PreferenceDatasetStatus initStatus() {
        return new PreferenceDatasetStatus();
    }

    @JsonIgnore
    private final transient SpecReading<PreferenceDatasetSpec> specReading =
            new SpecReading<>(PreferenceDatasetSpec.class, PreferenceDatasetSpec::new);

    /** The stored spec, read leniently (see {@link LenientJson}): a spec that does not fit never fails the read. */
    @JsonSetter("spec")
    void readSpec(JsonNode json) {
        setSpec(specReading.read(json));
    }

    /** The stored status, read leniently; what does not fit is dropped (the operator writes the status afresh). */
    @JsonSetter("status")
    void readStatus(JsonNode json) {
        setStatus(LenientJson.read(json, "status", PreferenceDatasetStatus.class, PreferenceDatasetStatus::new)
                .value());
    }

    @Override
    public List<String> specProblems() {
        return specReading.problems(getSpec());
    }
}
