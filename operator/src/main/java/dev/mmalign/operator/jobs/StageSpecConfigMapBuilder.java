package dev.mmalign.operator.jobs;

import dev.mmalign.api.stage.PodContract;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.operator.k8s.Json;
import dev.mmalign.operator.k8s.Labels;
import dev.mmalign.operator.k8s.Owners;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;

/** Builds the ConfigMap holding a stage's spec as stage.json (pure). */
public final class StageSpecConfigMapBuilder {

    private StageSpecConfigMapBuilder() {}

    public static ConfigMap build(StageJobRequest req, StageSpec spec) {
        var labels = Labels.forChild(req.owner(), req.stageLabel());
        labels.put(Labels.STAGE, req.stage().name());
        return new ConfigMapBuilder()
                .withNewMetadata()
                    .withName(req.configMapName())
                    .withNamespace(req.owner().getMetadata().getNamespace())
                    .withLabels(labels)
                    .withOwnerReferences(Owners.controllerReference(req.owner()))
                .endMetadata()
                // Immutable: a stage runs the spec it started with (see the rerun rule in the reconcilers).
                .withImmutable(true)
                .addToData(PodContract.SPEC_KEY, Json.write(spec))
                .build();
    }
}
