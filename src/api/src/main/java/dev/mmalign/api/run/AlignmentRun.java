package dev.mmalign.api.run;

import dev.mmalign.api.Mmalign;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One training run (DPO, SFT, rejection sampling or SteerLM) of a multimodal model. */
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
public class AlignmentRun extends CustomResource<AlignmentRunSpec, AlignmentRunStatus> implements Namespaced {

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
}
