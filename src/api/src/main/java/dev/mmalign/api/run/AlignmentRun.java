package dev.mmalign.api.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.Mmalign;
import dev.mmalign.api.common.LenientJson;
import dev.mmalign.api.common.LenientlyRead;
import dev.mmalign.api.common.SpecReading;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

import java.util.List;

/** One training run (DPO, SFT, rejection sampling or SteerLM) of a multimodal model. */
@JsonIgnoreProperties(ignoreUnknown = true)
@Group(Mmalign.GROUP)
@Version(Mmalign.VERSION)
@ShortNames({"ar", "arun"})
@Categories(Mmalign.CATEGORY)
@AdditionalPrinterColumn(name = "Method", jsonPath = ".spec.method", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Progress", jsonPath = ".status.progress.percent", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Loss", jsonPath = ".status.metrics.loss", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Reward-Acc", jsonPath = ".status.metrics.rewardsAccuracies", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Step", jsonPath = ".status.progress.current", type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Dataset", jsonPath = ".spec.dataset.name", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class AlignmentRun extends CustomResource<AlignmentRunSpec, AlignmentRunStatus>
        implements Namespaced, LenientlyRead {

    /** Required in the schema: a run without a spec has nothing to train (the API server refuses it). */
    @Override
    @Required
    public AlignmentRunSpec getSpec() {
        return super.getSpec();
    }

    @Override
    protected AlignmentRunStatus initStatus() {
        return new AlignmentRunStatus();
    }

    @JsonIgnore
    private final transient SpecReading<AlignmentRunSpec> specReading =
            new SpecReading<>(AlignmentRunSpec.class, AlignmentRunSpec::new);

    /** The stored spec, read leniently (see {@link LenientJson}): a spec that does not fit never fails the read. */
    @JsonSetter("spec")
    void readSpec(JsonNode json) {
        setSpec(specReading.read(json));
    }

    /** The stored status, read leniently; what does not fit is dropped (the operator writes the status afresh). */
    @JsonSetter("status")
    void readStatus(JsonNode json) {
        setStatus(LenientJson.read(json, "status", AlignmentRunStatus.class, AlignmentRunStatus::new).value());
    }

    @Override
    public List<String> specProblems() {
        return specReading.problems(getSpec());
    }
}
