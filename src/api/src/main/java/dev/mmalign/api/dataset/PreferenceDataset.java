package dev.mmalign.api.dataset;

import dev.mmalign.api.Mmalign;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Image + question prompts turned into judged completions and DPO / SFT training sets. */
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
        implements Namespaced {

    @Override
    protected PreferenceDatasetStatus initStatus() {
        return new PreferenceDatasetStatus();
    }
}
