package dev.mmalign.trainer.quickstart;

import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.api.bench.PaperClaim;
import dev.mmalign.api.bench.BenchmarkSpec;
import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.dataset.AnnotationSpec;
import dev.mmalign.api.dataset.HumanRatingsSpec;
import dev.mmalign.api.dataset.PromptsSpec;
import dev.mmalign.api.dataset.SamplingSpec;
import dev.mmalign.api.dataset.TrainingSetsSpec;
import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.api.run.DatasetRef;
import dev.mmalign.api.run.DpoSpec;
import dev.mmalign.api.run.LoraSpec;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.run.Precision;
import dev.mmalign.api.run.TrainingDefaults;
import dev.mmalign.api.run.TrainingSpec;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.ProgressReporting;
import dev.mmalign.api.stage.ReportDataset;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageInputs;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.api.common.JudgeProvider;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The stage specs of the quickstart, as the operator would write them: paths from {@link ArtifactLayout} under one
 * storage root, progress to files under {@code logs/}. Keeping them here makes the pipeline read top to bottom.
 */
final class QuickstartSpecs {

    static final String DATASET = "quickstart";
    static final String SUITE = "quickstart";
    static final String WORLD = "world";
    static final String IMAGES = WORLD + "/images";
    static final String INIT_MODEL = "models/tiny-init";
    static final String TEXT_SET = WORLD + "/text-sft.jsonl";
    static final String VIT_SET = WORLD + "/vit-sft.jsonl";
    static final String PREF_PROMPTS = WORLD + "/prompts-pref.jsonl";
    /** The language model (text instructions only) the base starts from, and the visually tuned base. */
    static final String LM = PaperClaim.TEXT_LM;
    static final String BASE = PaperClaim.BASE;
    static final String POPE = WORLD + "/pope-heldout.jsonl";
    static final String MMBENCH = WORLD + "/mmbench-heldout.tsv";
    /** The synthetic people's ratings of some sampled completions (written after sampling, read by build). */
    static final String HUMAN_RATINGS = WORLD + "/human-ratings.jsonl";
    static final String TEXT_ONLY = WORLD + "/text-heldout.jsonl";

    private final Path root;
    private final QuickstartSettings s;

    QuickstartSpecs(Path root, QuickstartSettings settings) {
        this.root = root;
        this.s = settings;
    }

    String baseModel() {
        return ArtifactLayout.runMerged(BASE);
    }

    String languageModel() {
        return ArtifactLayout.runMerged(LM);
    }

    private StageSpec spec(StageName stage, String outputDir) {
        StageSpec spec = new StageSpec();
        spec.stage = stage;
        spec.paths.storageRoot = root.toString();
        spec.paths.outputDir = outputDir;
        spec.progress.mode = ProgressReporting.Mode.file;
        spec.progress.file = "logs/progress-" + stage + ".jsonl";
        spec.progress.intervalSeconds = 2;
        return spec;
    }

    /** The base's first stage: the fresh tiny model trained (full fine-tuning) on text instructions only. */
    StageSpec languageModelTraining() {
        TrainingSpec t = training(s.lmEpochs(), s.lmLearningRate(), 16);
        StageSpec spec = train(LM, Method.SFT, TEXT_SET, INIT_MODEL, t);
        spec.run.lora.enabled = false;
        return resolved(spec);
    }

    /**
     * The base's second stage: visual instruction tuning of the language model on image questions only, every weight
     * tuned, or with LoRA on the decoder and the projector fully trained (LLaVA-1.5's LoRA variant) when
     * {@code vitLoraRank} is set. Either way the base is a merged model the alignment runs start from.
     */
    StageSpec baseTraining() {
        TrainingSpec t = training(s.vitEpochs(), s.vitLearningRate(), 16);
        StageSpec spec = train(BASE, Method.SFT, VIT_SET, languageModel(), t);
        if (s.vitLoraRank() > 0) {
            spec.run.lora.rank = s.vitLoraRank();
            spec.run.lora.alpha = 2.0 * s.vitLoraRank();
            spec.run.lora.trainProjector = true;
        } else {
            spec.run.lora.enabled = false;
        }
        return resolved(spec);
    }

    StageSpec sample() {
        StageSpec spec = spec(StageName.sample, ArtifactLayout.datasetCompletions(DATASET));
        spec.prompts = new PromptsSpec();
        spec.prompts.path = PREF_PROMPTS;
        spec.prompts.imageRoot = IMAGES;
        spec.sampling = new SamplingSpec();
        spec.sampling.model = ModelSource.ofPath(baseModel());
        spec.sampling.completionsPerPrompt = 4;
        spec.sampling.temperature = s.temperature();
        spec.sampling.topP = 1.0;
        spec.sampling.maxNewTokens = s.maxNewTokens();
        spec.sampling.seed = s.seed();
        // fp32 as in the quickstart's training: on a CPU fp16 storage saves nothing that matters for the tiny model.
        spec.sampling.precision = Precision.fp32;
        spec.paths.inputs.put(StageInputs.PROMPTS, ArtifactLayout.datasetPrompts(DATASET));
        return spec;
    }

    StageSpec annotate() {
        StageSpec spec = spec(StageName.annotate, ArtifactLayout.datasetAnnotations(DATASET));
        datasetInputs(spec);
        spec.annotation = new AnnotationSpec();
        spec.annotation.provider = JudgeProvider.ORACLE;
        return spec;
    }

    StageSpec build() {
        StageSpec spec = spec(StageName.build, ArtifactLayout.datasetSets(DATASET));
        datasetInputs(spec);
        spec.paths.inputs.put(StageInputs.ANNOTATIONS, ArtifactLayout.datasetAnnotations(DATASET));
        spec.paths.inputs.put(StageInputs.MODEL, baseModel());
        spec.trainingSets = new TrainingSetsSpec();
        spec.annotation = new AnnotationSpec();
        spec.annotation.humanRatings = new HumanRatingsSpec();
        spec.annotation.humanRatings.path = HUMAN_RATINGS;
        return spec;
    }

    private void datasetInputs(StageSpec spec) {
        spec.paths.inputs.put(StageInputs.PROMPTS, ArtifactLayout.datasetPrompts(DATASET));
        spec.paths.inputs.put(StageInputs.COMPLETIONS, ArtifactLayout.datasetCompletions(DATASET));
        spec.paths.inputs.put(StageInputs.IMAGE_ROOT, IMAGES);
    }

    /** One alignment run from the base with LoRA on a set of the dataset. */
    StageSpec alignment(String name, Method method, String set) {
        boolean dpo = method == Method.DPO;
        int epochs = method == Method.SteerLM ? s.steerLmEpochs() : s.epochs();
        TrainingSpec t = training(epochs, dpo ? s.dpoLearningRate() : s.sftLearningRate(), dpo ? 8 : 16);
        if (method == Method.SteerLM) {
            // The paper's condition adds ~170 byte tokens to the question: the longest prompts take ~270 positions.
            t.maxLength = 320;
        }
        StageSpec spec = train(name, method, ArtifactLayout.datasetSet(DATASET, set), baseModel(), t);
        spec.run.lora.rank = s.loraRank();
        spec.run.lora.alpha = 2.0 * s.loraRank();
        if (dpo) {
            spec.run.dpo = new DpoSpec();
            spec.run.dpo.beta = s.beta();
        }
        return resolved(spec);
    }

    /** The operator's training defaults, filled by the same resolver (RunPlan's), since the trainer adds none. */
    private static StageSpec resolved(StageSpec spec) {
        TrainingDefaults.resolve(spec.run);
        return spec;
    }

    private TrainingSpec training(int epochs, double lr, int batch) {
        TrainingSpec t = new TrainingSpec();
        t.epochs = epochs;
        t.learningRate = lr;
        t.perDeviceBatchSize = batch;
        t.gradientAccumulationSteps = 1;
        t.maxLength = 256;
        t.precision = Precision.fp32;
        t.seed = s.seed();
        t.checkpointEverySteps = 50;
        // A 64-wide model needs no memory saving, and recomputing each block in the backward pass cost a quarter of
        // the training time here (same loss): see ENGINE.md, "CPU speed of small models".
        t.activationCheckpointing = false;
        return t;
    }

    private StageSpec train(String name, Method method, String dataset, String model, TrainingSpec t) {
        StageSpec spec = spec(StageName.train, ArtifactLayout.runRoot(name));
        spec.paths.checkpointDir = ArtifactLayout.runCheckpoints(name);
        spec.paths.inputs.put(StageInputs.MODEL, model);
        spec.paths.inputs.put(StageInputs.DATASET, dataset);
        spec.paths.inputs.put(StageInputs.IMAGE_ROOT, IMAGES);
        spec.run = new AlignmentRunSpec();
        spec.run.method = method;
        spec.run.baseModel = ModelSource.ofPath(model);
        spec.run.dataset = new DatasetRef();
        spec.run.dataset.path = dataset;
        spec.run.lora = new LoraSpec();
        spec.run.training = t;
        return spec;
    }

    /**
     * The language model, the base and every aligned run (base + its adapter) on held-out POPE, multiple choice and
     * the text-only set.
     */
    StageSpec evaluate(List<String> runs) {
        StageSpec spec = spec(StageName.evaluate, ArtifactLayout.suiteRoot(SUITE));
        List<ResolvedModel> models = new ArrayList<>();
        models.add(new ResolvedModel(LM, languageModel(), null));
        models.add(new ResolvedModel(BASE, baseModel(), null));
        for (String run : runs) {
            models.add(new ResolvedModel(run, baseModel(), ArtifactLayout.runAdapter(run)));
        }
        spec.models = models;
        // For the report's dataset sections: every aligned run trained on the one dataset (the language model and
        // the base on instruction sets, not on it).
        spec.reportDatasets = List.of(new ReportDataset(DATASET, ArtifactLayout.datasetRoot(DATASET), IMAGES, runs));
        spec.benchmarks = List.of(
                benchmark(BenchmarkName.POPE, POPE, IMAGES, 24),
                benchmark(BenchmarkName.MMBENCH, MMBENCH, null, 8),
                benchmark(BenchmarkName.EXACT_MATCH, TEXT_ONLY, null, 40));
        spec.evaluationPrecision = Precision.fp32;
        // The label local mode's manifest gives it, so both print the same table and claim.
        spec.benchmarks.get(2).id = PaperClaim.TEXT_BENCHMARK;
        return spec;
    }

    /** Where each model's own evaluation writes (one folder per model); the report step merges them from there. */
    static final String MODEL_RESULTS = ArtifactLayout.suiteRoot(SUITE) + "/models";

    /**
     * Model {@code index} of {@link #evaluate} evaluated alone, into {@value #MODEL_RESULTS}/&lt;model&gt; with its own
     * progress file, so that models can be evaluated side by side without sharing a file.
     */
    StageSpec evaluateModel(List<String> runs, int index) {
        StageSpec spec = evaluate(runs);
        ResolvedModel model = spec.models.get(index);
        spec.models = List.of(model);
        spec.paths.outputDir = MODEL_RESULTS + "/" + model.name;
        spec.progress.file = "logs/progress-evaluate-" + model.name + ".jsonl";
        // The dataset's sections (sample browser with its images) are for the suite's report alone: read once there.
        spec.reportDatasets = null;
        return spec;
    }

    /** The suite's report step: merges the models' results from {@link #MODEL_RESULTS} in model order. */
    StageSpec evaluateReport(List<String> runs) {
        StageSpec spec = evaluate(runs);
        spec.paths.inputs.put(StageInputs.RESULTS, MODEL_RESULTS);
        return spec;
    }

    private static BenchmarkSpec benchmark(BenchmarkName name, String data, String images, int maxNewTokens) {
        BenchmarkSpec b = new BenchmarkSpec();
        b.name = name;
        b.dataPath = data;
        b.imageRoot = images;
        b.maxNewTokens = maxNewTokens;
        return b;
    }
}
