package dev.mmalign.api.bench;

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

/** Models evaluated on benchmarks, compared with a baseline. */
@JsonIgnoreProperties(ignoreUnknown = true)
@Group(Mmalign.GROUP)
@Version(Mmalign.VERSION)
@ShortNames({"bench", "bs"})
@Categories(Mmalign.CATEGORY)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Models", jsonPath = ".status.modelsDone", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Baseline", jsonPath = ".spec.baseline", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Progress", jsonPath = ".status.progress.percent", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Report", jsonPath = ".status.reportPath", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class BenchmarkSuite extends CustomResource<BenchmarkSuiteSpec, BenchmarkSuiteStatus>
        implements Namespaced, LenientlyRead {

    @Override
    protected BenchmarkSuiteStatus initStatus() {
        return new BenchmarkSuiteStatus();
    }

    @JsonIgnore
    private final transient SpecReading<BenchmarkSuiteSpec> specReading =
            new SpecReading<>(BenchmarkSuiteSpec.class, BenchmarkSuiteSpec::new);

    /** The stored spec, read leniently (see {@link LenientJson}): a spec that does not fit never fails the read. */
    @JsonSetter("spec")
    void readSpec(JsonNode json) {
        setSpec(specReading.read(json));
    }

    /** The stored status, read leniently; what does not fit is dropped (the operator writes the status afresh). */
    @JsonSetter("status")
    void readStatus(JsonNode json) {
        setStatus(LenientJson.read(json, "status", BenchmarkSuiteStatus.class, BenchmarkSuiteStatus::new).value());
    }

    @Override
    public List<String> specProblems() {
        return specReading.problems(getSpec());
    }
}
