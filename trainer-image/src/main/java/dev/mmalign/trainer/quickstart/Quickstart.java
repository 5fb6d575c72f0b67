package dev.mmalign.trainer.quickstart;

import ai.djl.pytorch.jni.JniUtils;
import dev.mmalign.api.dataset.JudgeAgreementFile;
import dev.mmalign.api.stage.QuickstartClaim;
import dev.mmalign.api.bench.PaperClaim;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.PodContract;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.annotate.AnnotateStage;
import dev.mmalign.trainer.build.BuildStage;
import dev.mmalign.trainer.data.AtomicFiles;
import dev.mmalign.trainer.data.DatasetReader;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.evaluate.EvaluateStage;
import dev.mmalign.trainer.evaluate.ResultsFile;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.sample.SampleStage;
import dev.mmalign.trainer.sets.GoldSftBuilder;
import dev.mmalign.trainer.stage.PolicyModelLoader;
import dev.mmalign.trainer.stage.StageRunner;
import dev.mmalign.trainer.stage.StopSignal;
import dev.mmalign.trainer.synthetic.SyntheticHumanRatings;
import dev.mmalign.trainer.synthetic.SyntheticRatedResponses;
import dev.mmalign.trainer.synthetic.SyntheticWorld;
import dev.mmalign.trainer.train.TrainStage;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The whole recipe on the synthetic world, in-process, each stage through {@link StageRunner} with a stage spec
 * written to {@code specs/} exactly as a pod would get it: world → language model by text instruction tuning (train,
 * SFT) → base by visual instruction tuning of that model on image questions only (train, SFT) → sample → annotate (oracle) → build → train DPO / SFT-from-gold / rejection sampling / SteerLM (LoRA) → evaluate.
 * Every stage is resumable, so a rerun with the same folder skips what is done.
 */
public final class Quickstart {

    /** One alignment run of the comparison: its name in results, its method and the training set it uses. */
    record Run(String name, Method method, String set) {}

    /** The paper's four methods, each from the same base. */
    static final List<Run> RUNS = List.of(
            new Run("dpo", Method.DPO, "dpo"),
            new Run("sft-gold", Method.SFT, "goldSFT"),
            new Run("rejection-sampling", Method.RejectionSampling, "rejectionSampling"),
            new Run("steerlm", Method.SteerLM, "steerLM"));

    private final Path root;
    private final QuickstartSettings settings;
    private final PolicyModelLoader loader;
    private final PrintStream out;
    private final QuickstartSpecs specs;
    private final StopSignal stop;

    public Quickstart(Path root, QuickstartSettings settings, PolicyModelLoader loader, PrintStream out) {
        this(root, settings, loader, out, new StopSignal());
    }

    /** {@code stop}: set from outside (SIGTERM, see QuickstartCommand) to end the quickstart after the unit in hand. */
    public Quickstart(Path root, QuickstartSettings settings, PolicyModelLoader loader, PrintStream out,
                      StopSignal stop) {
        this.stop = stop;
        this.root = root.toAbsolutePath().normalize();
        this.settings = settings;
        this.loader = loader;
        this.out = out;
        this.specs = new QuickstartSpecs(this.root, settings);
    }

    /** Stop asked from outside (SIGTERM): the running stage checkpoints and the quickstart ends. */
    public StopSignal stopSignal() {
        return stop;
    }

    /** Runs every step and returns the results table (model → benchmark → metric). */
    public ResultsFile.Table run() throws IOException {
        prepare();
        runStage(specs.sample(), new SampleStage(loader));
        runStage(specs.annotate(), new AnnotateStage(Map.of(), JudgeTuning.standard()));
        writeHumanRatings();
        runStage(specs.build(), new BuildStage(loader));
        printAgreement();
        // Independent given the base and the dataset: trained a few at a time (see ConcurrentStages).
        // Longest first, so the others fill the second core meanwhile: SteerLM trains on every sampled completion
        // (four per prompt), the others on one example per prompt or pair.
        List<Run> longestFirst = new ArrayList<>(RUNS);
        longestFirst.sort(java.util.Comparator.comparing((Run r) -> r.method() != Method.SteerLM));
        List<ConcurrentStages.Job> trainings = new ArrayList<>();
        for (Run run : longestFirst) {
            StageSpec spec = specs.alignment(run.name(), run.method(), run.set());
            trainings.add(new ConcurrentStages.Job(run.name(), () -> stageLine(spec, new TrainStage(log()))));
        }
        new ConcurrentStages(out, ConcurrentStages.machineParallelism()).run(trainings);
        evaluate(RUNS.stream().map(Run::name).toList(), ConcurrentStages.machineParallelism());
        Path suite = root.resolve(ArtifactLayout.suiteRoot(QuickstartSpecs.SUITE));
        Files.copy(suite.resolve("report.html"), root.resolve("report.html"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ResultsFile.Table table = ResultsFile.read(suite.resolve("results.json"));
        // The suite's table plus the claim's figures, so that a script reads the claim without parsing stdout.
        Map<String, Object> results = new java.util.LinkedHashMap<>();
        results.put("models", table.models());
        results.put("claim", claim(table));
        AtomicFiles.write(root.resolve("results.json"), Json.pretty(results) + "\n");
        return table;
    }

    /** Share of the sampled completions the synthetic people rate, and how often a rating of theirs is one step off. */
    static final double HUMAN_FRACTION = 0.25;
    static final double HUMAN_NOISE = 0.2;

    /** The synthetic people rate some of the sampled completions, as a team would once sampling is done. */
    private void writeHumanRatings() {
        Map<String, JsonlReader.Line<PromptRecord>> lines = DatasetReader.prompts(
                root.resolve(ArtifactLayout.datasetPrompts(QuickstartSpecs.DATASET)));
        Map<String, PromptRecord> prompts = new LinkedHashMap<>();
        lines.forEach((id, line) -> prompts.put(id, line.value()));
        var completions = DatasetReader.completions(
                root.resolve(ArtifactLayout.datasetCompletions(QuickstartSpecs.DATASET)), lines);
        var rows = new SyntheticHumanRatings(HUMAN_FRACTION, HUMAN_NOISE, settings.seed()).rate(prompts, completions);
        AtomicFiles.writeJsonl(root.resolve(QuickstartSpecs.HUMAN_RATINGS), rows);
    }

    /** One line per attribute: how the judge (here the oracle) agrees with the synthetic people. */
    private void printAgreement() throws IOException {
        JudgeAgreementFile file = Json.MAPPER.readValue(root.resolve(ArtifactLayout.datasetAgreement(
                QuickstartSpecs.DATASET)).toFile(), JudgeAgreementFile.class);
        file.attributes.forEach((name, a) -> out.printf(java.util.Locale.ROOT,
                "agreement %-12s n=%d exact=%.3f within1=%.3f spearman=%s pearson=%s%n", name, a.n, a.exactMatch,
                a.withinOne, a.spearman == null ? "-" : String.format(java.util.Locale.ROOT, "%.3f", a.spearman),
                a.pearson == null ? "-" : String.format(java.util.Locale.ROOT, "%.3f", a.pearson)));
    }

    /** The paper's claim in this run's figures (see {@link PaperClaim}). */
    public static Map<String, Double> claim(ResultsFile.Table table) {
        return PaperClaim.figures((model, benchmark, metric) ->
                table.models().getOrDefault(model, Map.of()).getOrDefault(benchmark, Map.of()).get(metric));
    }

    /**
     * The synthetic world and the base built on it in the paper's two stages: a language model trained on text
     * instructions, then visually instruction-tuned on image questions only. The base is what the alignment methods
     * start from; the language model is evaluated beside it to show what visual tuning cost in text.
     */
    public void prepare() throws IOException {
        Files.createDirectories(root);
        writeWorldBesideInitialModel();
        // Alone on the machine: each batch split over two threads, a fixed count (see QuickstartSettings.BASE_SHARDS).
        runStage(specs.languageModelTraining(), new TrainStage(log(), QuickstartSettings.BASE_SHARDS));
        runStage(specs.baseTraining(), new TrainStage(log(), QuickstartSettings.BASE_SHARDS));
    }

    /**
     * Prepares a claim for the manifests of {@code examples/quickstart} in {@code claim}: the world and the tuned
     * base, made in {@code claim/.quickstart} (resumable) and laid out as {@link ClaimLayout} says. A complete claim
     * is left as it is.
     */
    public static void prepareClaim(Path claim, QuickstartSettings settings, PolicyModelLoader loader,
                                    PrintStream out, StopSignal stop) throws IOException {
        if (ClaimLayout.complete(claim)) {
            out.println("claim already prepared: " + claim);
            return;
        }
        Path work = claim.resolve(ClaimLayout.WORK);
        new Quickstart(work, settings, loader, out, stop).prepare();
        // People's ratings for the dataset's judge-human agreement: in a claim nothing runs between its stages.
        new SyntheticRatedResponses(HUMAN_FRACTION, HUMAN_NOISE, settings.seed()).write(
                work.resolve(QuickstartSpecs.PREF_PROMPTS), claim.resolve(QuickstartClaim.HUMAN_RATINGS));
        ClaimLayout.export(work, claim);
    }

    /**
     * The synthetic world, the language model's text instructions, and two prompt files cut from its training
     * scenes: the first {@code vitScenes} scenes' gold answers tune the base visually (image questions only: no text
     * instructions, so what visual tuning costs in text shows), the rest are the preference prompts, so that
     * alignment sees prompts the base was not tuned on, as in the paper.
     */
    private void writeWorld() {
        Path world = root.resolve(QuickstartSpecs.WORLD);
        if (Files.exists(world.resolve(QuickstartSpecs.VIT_SET.substring(QuickstartSpecs.WORLD.length() + 1)))) {
            return;
        }
        long t0 = System.nanoTime();
        SyntheticWorld.write(world, new SyntheticWorld.Config(settings.vitScenes() + settings.prefScenes(),
                settings.heldoutScenes(), settings.textTrain(), settings.textHeldout(), 48, 3, settings.seed()));
        List<PromptRecord> train = JsonlReader.readAll(world.resolve("prompts-train.jsonl"), PromptRecord.class, null);
        List<PromptRecord> vit = new ArrayList<>();
        List<PromptRecord> pref = new ArrayList<>();
        for (PromptRecord p : train) {
            (sceneIndex(p) < settings.vitScenes() ? vit : pref).add(p);
        }
        vit.addAll(MultipleChoiceInstructions.from(vit, settings.seed()));
        vit.addAll(ExistenceQuestions.from(vit, settings.extraExistence(), settings.seed() + 1));
        pref.addAll(ExistenceQuestions.from(pref, settings.extraExistence(), settings.seed() + 2));
        List<PromptRecord> text = JsonlReader.readAll(world.resolve("text-train.jsonl"), PromptRecord.class, null);
        AtomicFiles.writeJsonl(root.resolve(QuickstartSpecs.TEXT_SET), GoldSftBuilder.build(text));
        AtomicFiles.writeJsonl(root.resolve(QuickstartSpecs.PREF_PROMPTS), pref);
        // Written last: its presence marks the world as complete for a rerun.
        AtomicFiles.writeJsonl(root.resolve(QuickstartSpecs.VIT_SET), GoldSftBuilder.build(vit));
        step("world", t0, text.size() + " text instructions, " + vit.size() + " visual tuning examples, "
                + pref.size() + " preference prompts");
    }

    /**
     * The world (Java2D, JSON files) on this thread and the initial model (seeded weights, libtorch) on another: they
     * share nothing, and each took a core for about a second while the other core idled. The engine is loaded here
     * first, and the other thread takes this thread's grad mode, as a stage thread does (ConcurrentStages).
     */
    private void writeWorldBesideInitialModel() throws IOException {
        ai.djl.engine.Engine.getInstance();
        boolean gradMode = JniUtils.isGradMode();
        FutureTask<Void> initialModel = new FutureTask<>(() -> {
            JniUtils.setGradMode(gradMode);
            writeInitialModel();
            return null;
        });
        Thread thread = new Thread(initialModel, "mmalign-initial-model");
        thread.setDaemon(true);
        thread.start();
        try {
            writeWorld();
        } finally {
            awaitInitialModel(initialModel);
        }
    }

    /** Waits for the initial model however the world ended, so that nothing writes after prepare() returns. */
    private static void awaitInitialModel(FutureTask<Void> initialModel) throws IOException {
        try {
            initialModel.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the initial model was written", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Scene number of a prompt's image (scene-00012.png → 12). */
    private static int sceneIndex(PromptRecord p) {
        String name = p.image();
        return Integer.parseInt(name.substring(name.indexOf('-') + 1, name.indexOf('.')));
    }

    private void writeInitialModel() throws IOException {
        Path dir = root.resolve(QuickstartSpecs.INIT_MODEL);
        if (Files.exists(dir.resolve("config.json"))) return;
        try (VisionLanguageModel vlm = ModelLoader.create("quickstart", settings.seed())) {
            Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
            ModelLoader.save(vlm, tmp);
            Files.move(tmp, dir);
        }
    }

    /**
     * Every model evaluated on its own, a few at a time as the trainings (see ConcurrentStages), then the suite's
     * report step merges their results in model order, as a cluster's evaluate pods and report step do. Side by side
     * is bit-identical to one after another: generation samples from a {@code java.util.Random} per question, the
     * models are evaluated (no dropout), so nothing draws from libtorch's shared generator, and each model has its own
     * output folder, spec, log and progress file (QuickstartTest compares the results with a serial run's).
     */
    void evaluate(List<String> runs, int parallelism) throws IOException {
        List<ConcurrentStages.Job> models = new ArrayList<>();
        int count = specs.evaluate(runs).models.size();
        for (int i = 0; i < count; i++) {
            StageSpec spec = specs.evaluateModel(runs, i);
            String name = spec.models.get(0).name;
            models.add(new ConcurrentStages.Job(name, () -> stageLine("evaluate " + name, spec,
                    new EvaluateStage(loader, Map.of(), JudgeTuning.standard()))));
        }
        new ConcurrentStages(out, parallelism).run(models);
        runStage(specs.evaluateReport(runs), new EvaluateStage(loader, Map.of(), JudgeTuning.standard()));
    }

    /** Writes the spec where a pod would find it, runs the stage through the runner and fails on a non-zero exit. */
    private void runStage(StageSpec spec, StageRunner.Stage stage) throws IOException {
        out.println(stageLine(spec, stage));
    }

    /** {@link #runStage} without printing: returns the stage's line (thread-safe, for {@link ConcurrentStages}). */
    private String stageLine(StageSpec spec, StageRunner.Stage stage) throws IOException {
        return stageLine(spec.stage == StageName.train ? "train " + spec.paths.outputDir.substring(
                spec.paths.outputDir.lastIndexOf('/') + 1) : spec.stage.name(), spec, stage);
    }

    /** As above under {@code label}, which names the spec, log and printed line (unique among concurrent stages). */
    private String stageLine(String label, StageSpec spec, StageRunner.Stage stage) throws IOException {
        Path specFile = root.resolve("specs").resolve(label.replace(' ', '-') + ".json");
        Files.createDirectories(specFile.getParent());
        Files.writeString(specFile, Json.pretty(spec) + "\n");
        Map<String, String> env = new HashMap<>();
        env.put(PodContract.ENV_TERMINATION_LOG, root.resolve("logs").resolve(label.replace(' ', '-')
                + ".termination-log").toString());
        Files.createDirectories(root.resolve("logs"));
        long t0 = System.nanoTime();
        int code = new StageRunner(env, System.err, stop).run(spec.stage, specFile, stage);
        StageResult result = Json.MAPPER.readValue(Files.readString(root.resolve(spec.paths.outputDir)
                .resolve(ArtifactLayout.resultFile(spec.stage, spec.shard.index))), StageResult.class);
        if (code != 0) {
            throw new QuickstartException(label, code, result.message);
        }
        return stepLine(label, t0, summary(result));
    }

    private static String summary(StageResult r) {
        StringBuilder text = new StringBuilder();
        r.counts.forEach((k, v) -> text.append(k).append('=').append(v).append(' '));
        Double loss = r.metrics.get("train_loss");
        if (loss != null) text.append(String.format(java.util.Locale.ROOT, "train_loss=%.4f ", loss));
        Double acc = r.metrics.get("rewards/accuracies");
        if (acc != null) text.append(String.format(java.util.Locale.ROOT, "rewards/accuracies=%.2f", acc));
        return text.toString().trim();
    }

    private void step(String label, long t0, String detail) {
        out.println(stepLine(label, t0, detail));
    }

    private static String stepLine(String label, long t0, String detail) {
        return String.format(java.util.Locale.ROOT, "[%6.1f s] %-26s %s", (System.nanoTime() - t0) / 1e9, label,
                detail);
    }

    private PrintStream log() {
        return System.err;
    }

    /** A stage of the quickstart failed: which, its exit code and its message. */
    public static final class QuickstartException extends RuntimeException {
        public final int exitCode;

        QuickstartException(String stage, int exitCode, String message) {
            super(stage + " failed with exit code " + exitCode + (message == null ? "" : ": " + message));
            this.exitCode = exitCode;
        }
    }
}
