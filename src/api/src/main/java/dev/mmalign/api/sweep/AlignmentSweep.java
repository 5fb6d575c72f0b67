package dev.mmalign.api.sweep;

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

/**
 * A hyper-parameter or data-scaling study: a template AlignmentRun and axes; one child AlignmentRun per point of the
 * axes' product, one BenchmarkSuite over all of them, and a score table per axis (the paper's Figure 2).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@Group(Mmalign.GROUP)
@Version(Mmalign.VERSION)
@ShortNames({"asw", "sweep"})
@Categories(Mmalign.CATEGORY)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Runs", jsonPath = ".status.runsDone", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Running", jsonPath = ".status.running", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Suite", jsonPath = ".status.benchmarkSuite", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class AlignmentSweep extends CustomResource<AlignmentSweepSpec, AlignmentSweepStatus>
        implements Namespaced, LenientlyRead {

    /** Required in the schema: a sweep without a spec has nothing to run. */
    @Override
    @Required
    public AlignmentSweepSpec getSpec() {
        return super.getSpec();
    }

    @Override
    protected AlignmentSweepStatus initStatus() {
        return new AlignmentSweepStatus();
    }

    @JsonIgnore
    private final transient SpecReading<AlignmentSweepSpec> specReading =
            new SpecReading<>(AlignmentSweepSpec.class, AlignmentSweepSpec::new);

    /** The stored spec, read leniently (see {@link LenientJson}): a spec that does not fit never fails the read. */
    @JsonSetter("spec")
    void readSpec(JsonNode json) {
        setSpec(specReading.read(json));
    }

    /** The stored status, read leniently; what does not fit is dropped (the operator writes the status afresh). */
    @JsonSetter("status")
    void readStatus(JsonNode json) {
        setStatus(LenientJson.read(json, "status", AlignmentSweepStatus.class, AlignmentSweepStatus::new).value());
    }

    @Override
    public List<String> specProblems() {
        return specReading.problems(getSpec());
    }
}
