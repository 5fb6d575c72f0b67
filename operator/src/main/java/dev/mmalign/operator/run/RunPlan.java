package dev.mmalign.operator.run;

import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.api.run.TrainingDefaults;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.OwnerInfo;
import dev.mmalign.api.stage.PodContract;
import dev.mmalign.api.stage.ProgressReporting;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageInputs;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.operator.k8s.Json;

/** The train stage of an AlignmentRun (pure). */
public final class RunPlan {

    /** Names of the run's stages in status.stages. */
    public static final String TRAIN = "train";
    public static final String EVALUATE = "evaluate";

    private RunPlan() {}

    /**
     * The train stage spec: the run's spec with every training, LoRA and DPO default resolved, the base model, the
     * training set, and the checkpoint folder. resumeFrom stays unset: a retried, resumed or rerun pod continues from
     * the latest complete checkpoint in checkpointDir. {@code imageRoot} is the folder the training set's image paths
     * are relative to (a PreferenceDataset's prompts.imageRoot); null means the storage root.
     */
    public static StageSpec stageSpec(AlignmentRun run, long generation, ResolvedModel base, String datasetPath,
                                      String imageRoot, ProgressReporting progress) {
        String name = run.getMetadata().getName();
        StageSpec s = new StageSpec();
        s.stage = StageName.train;
        s.owner = new OwnerInfo(run.getKind(), run.getMetadata().getNamespace(), name, run.getMetadata().getUid(),
                generation);
        s.progress = progress;
        AlignmentRunSpec spec = Json.convert(run.getSpec(), AlignmentRunSpec.class);
        TrainingDefaults.resolve(spec); // every training, LoRA and DPO default, once: the trainer reads them as-is
        spec.evaluation = null; // not the train stage's business
        s.run = spec;
        s.paths.storageRoot = PodContract.STORAGE_ROOT;
        s.paths.inputs.put(StageInputs.MODEL, base.path);
        if (base.adapterPath != null) {
            s.paths.inputs.put(StageInputs.ADAPTER, base.adapterPath);
        }
        s.paths.inputs.put(StageInputs.DATASET, datasetPath);
        if (imageRoot != null) {
            s.paths.inputs.put(StageInputs.IMAGE_ROOT, imageRoot);
        }
        s.paths.outputDir = ArtifactLayout.runRoot(name);
        s.paths.checkpointDir = ArtifactLayout.runCheckpoints(name);
        return s;
    }
}
