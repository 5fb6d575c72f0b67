package dev.mmalign.operator.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmalign.api.common.ComputeResources;
import dev.mmalign.api.dataset.AnnotationSpec;
import dev.mmalign.api.dataset.DatasetArtifacts;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.dataset.PreferenceDatasetSpec;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.OwnerInfo;
import dev.mmalign.api.stage.PodContract;
import dev.mmalign.api.stage.ProgressReporting;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageInputs;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;

import java.util.List;

/** What each stage of a PreferenceDataset runs with (pure): shards, resources and the stage spec. */
public final class DatasetPlan {

    /** The stages in order; each starts only when the one before succeeded. */
    public static final List<StageName> STAGES = List.of(StageName.sample, StageName.annotate, StageName.build);

    private static final ObjectMapper COPIER = new ObjectMapper();

    private DatasetPlan() {}

    public static int shards(PreferenceDatasetSpec spec, StageName stage) {
        return switch (stage) {
            case sample -> spec.sampling.shards != null ? spec.sampling.shards : 1;
            case annotate -> spec.annotation.shards != null ? spec.annotation.shards : 1;
            default -> 1;
        };
    }

    public static ComputeResources resources(PreferenceDatasetSpec spec, StageName stage) {
        return switch (stage) {
            case sample -> spec.sampling.endpoint != null ? withoutGpus(spec.sampling.resources)
                    : spec.sampling.resources;
            case annotate -> spec.annotation.resources;
            default -> spec.trainingSets != null ? spec.trainingSets.resources : null;
        };
    }

    /**
     * A sample pod that calls an endpoint generates nothing itself: it requests no GPU whatever resources.gpus says
     * (the rest of the resources and the placement are kept).
     */
    private static ComputeResources withoutGpus(ComputeResources res) {
        if (res == null || res.gpus == null || res.gpus == 0) {
            return res;
        }
        // A deep copy through JSON keeps every field, including any added to ComputeResources later.
        ComputeResources copy = COPIER.convertValue(res, ComputeResources.class);
        copy.gpus = 0;
        return copy;
    }

    /** The stage spec of {@code stage}; {@code model} is the sampling model (sample and build use it). */
    public static StageSpec stageSpec(PreferenceDataset ds, StageName stage, long generation, ResolvedModel model,
                                      ProgressReporting progress) {
        var spec = ds.getSpec();
        String name = ds.getMetadata().getName();
        StageSpec s = new StageSpec();
        s.stage = stage;
        s.owner = new OwnerInfo(ds.getKind(), ds.getMetadata().getNamespace(), name, ds.getMetadata().getUid(),
                generation);
        s.shard = new dev.mmalign.api.stage.Shard(0, shards(spec, stage));
        s.progress = progress;
        s.paths.storageRoot = PodContract.STORAGE_ROOT;
        s.paths.inputs.put(StageInputs.IMAGE_ROOT, spec.prompts.imageRoot);
        // sample writes the selected prompts here; annotate and build read them.
        s.paths.inputs.put(StageInputs.PROMPTS, ArtifactLayout.datasetPrompts(name));
        switch (stage) {
            case sample -> {
                s.prompts = spec.prompts;
                s.sampling = spec.sampling;
                putModel(s, model);
                s.paths.outputDir = ArtifactLayout.datasetCompletions(name);
            }
            case annotate -> {
                s.annotation = spec.annotation;
                s.paths.inputs.put(StageInputs.COMPLETIONS, ArtifactLayout.datasetCompletions(name));
                s.paths.outputDir = ArtifactLayout.datasetAnnotations(name);
            }
            case build -> {
                s.trainingSets = spec.trainingSets;
                s.annotation = forBuild(spec.annotation);
                s.paths.inputs.put(StageInputs.COMPLETIONS, ArtifactLayout.datasetCompletions(name));
                s.paths.inputs.put(StageInputs.ANNOTATIONS, ArtifactLayout.datasetAnnotations(name));
                // The reference log-probabilities of DPO pairs come from the sampling model.
                putModel(s, model);
                s.paths.outputDir = ArtifactLayout.datasetSets(name);
            }
            default -> throw new IllegalArgumentException("not a dataset stage: " + stage);
        }
        return s;
    }

    /**
     * What build needs of the annotation spec: the attributes and the human ratings it compares the judge with. No
     * provider, endpoint or credentials reference: build never talks to the judge.
     */
    static AnnotationSpec forBuild(AnnotationSpec annotation) {
        if (annotation == null) return null;
        AnnotationSpec a = new AnnotationSpec();
        a.attributes = annotation.attributes;
        a.humanRatings = annotation.humanRatings;
        return a;
    }

    private static void putModel(StageSpec s, ResolvedModel model) {
        s.paths.inputs.put(StageInputs.MODEL, model.path);
        if (model.adapterPath != null) {
            s.paths.inputs.put(StageInputs.ADAPTER, model.adapterPath);
        }
    }

    /** Where the outputs will be (ArtifactLayout); the build stage's result may name its files more precisely. */
    public static DatasetArtifacts plannedArtifacts(PreferenceDataset ds) {
        String name = ds.getMetadata().getName();
        var sets = ds.getSpec().trainingSets;
        DatasetArtifacts a = new DatasetArtifacts();
        a.root = ArtifactLayout.datasetRoot(name);
        a.prompts = ArtifactLayout.datasetPrompts(name);
        a.completions = ArtifactLayout.datasetCompletions(name);
        a.annotations = ArtifactLayout.datasetAnnotations(name);
        if (sets == null || sets.dpo == null || !Boolean.FALSE.equals(sets.dpo.enabled)) {
            a.dpo = ArtifactLayout.datasetSet(name, "dpo");
        }
        if (sets == null || sets.rejectionSampling == null || !Boolean.FALSE.equals(sets.rejectionSampling.enabled)) {
            a.rejectionSampling = ArtifactLayout.datasetSet(name, "rejectionSampling");
        }
        if (sets == null || sets.steerLM == null || !Boolean.FALSE.equals(sets.steerLM.enabled)) {
            a.steerLM = ArtifactLayout.datasetSet(name, "steerLM");
        }
        if (sets == null || sets.goldSFT == null || !Boolean.FALSE.equals(sets.goldSFT.enabled)) {
            a.goldSFT = ArtifactLayout.datasetSet(name, "goldSFT");
        }
        return a;
    }
}
