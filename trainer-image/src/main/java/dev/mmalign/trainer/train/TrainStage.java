package dev.mmalign.trainer.train;

import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.stage.StageContext;
import dev.mmalign.trainer.stage.StageRunner;
import dev.mmalign.api.dataset.ReferenceStamp;
import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.stage.StageInputs;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.trainer.data.AtomicFiles;
import dev.mmalign.trainer.data.ClaimPaths;
import dev.mmalign.trainer.data.DataImages;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.engine.ModelFingerprint;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.lora.Lora;
import dev.mmalign.trainer.engine.train.Checkpoints;
import dev.mmalign.trainer.engine.train.MetricsListener;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.trainer.engine.train.DpoTrainer;
import dev.mmalign.trainer.engine.train.SftTrainer;
import dev.mmalign.trainer.engine.train.TrainConfig;
import dev.mmalign.trainer.engine.train.WeightStorage;
import dev.mmalign.trainer.engine.train.TrainResult;
import dev.mmalign.trainer.sets.SteerLMDescriptor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The train stage: one AlignmentRun through the engine. DPO trains on pairs, SFT / rejection sampling / SteerLM on
 * SFT examples. Checkpoints go to {@code paths.checkpointDir} (default {@code <outputDir>/checkpoints}) and a rerun
 * resumes from the latest complete one; a stop request (SIGTERM) saves a checkpoint and ends with outcome
 * interrupted (retryable exit). The result names the latest complete checkpoint (artifact {@code checkpoint}, count
 * {@code checkpointStep}) and where the attempt started ({@code resumedFromStep}, 0 for a fresh start). The trained LoRA adapter (PEFT) goes to {@code <outputDir>/adapter} and the model with
 * the adapter merged to {@code <outputDir>/merged}; with full fine-tuning there is only the merged model. A finished
 * run leaves {@value #DONE_FILE}, so a rerun of a finished stage trains nothing and returns the same result.
 *
 * <p>SteerLM: the training set is self-describing (every prompt ends in its completion's condition); the stage reads
 * the template and attribute list from it, strictly, and writes the inference condition (all attributes at 4) as
 * {@code steerlm.json} into the adapter and merged folders, which the model loader then applies to every question.
 *
 * <p>training.maxLength counts the sequence the model sees, image patches included, and is capped at the model's
 * positions; examples whose prompt leaves no room for a response token are skipped and counted
 * ({@code skippedPromptTooLong}). DPO with {@code dpo.precomputeReferenceLogProbs=false} computes the reference each
 * step with LoRA disabled, which needs LoRA with a frozen projector (else exit code 2).
 */
public final class TrainStage implements StageRunner.Stage {

    static final String DONE_FILE = "train-complete.json";
    /** Pairs with their reference log-probs, cached beside the checkpoints so a resumed run does not recompute them. */
    static final String REFERENCE_FILE = "dpo-pairs-with-reference.jsonl";

    private final PrintStream log;
    private final int cpuShards;

    /** A training that may share the machine: one thread per micro-batch on CPU. */
    public TrainStage(PrintStream log) {
        this(log, 1);
    }

    /**
     * @param cpuShards threads an SFT micro-batch is split over on CPU ({@link TrainConfig#batchShards}): for a
     *                  training that has the machine to itself (the quickstart's base stages: 2, a fixed count since
     *                  the shard count is part of the result); 1 where trainings run side by side
     */
    public TrainStage(PrintStream log, int cpuShards) {
        this.log = log;
        this.cpuShards = cpuShards;
    }

    @Override
    public StageResult run(StageContext ctx) throws Exception {
        AlignmentRunSpec run = ctx.spec().run;
        if (run == null || run.method == null) {
            throw new InvalidInputException(ctx.specFile(), "train needs the run section with a method");
        }
        Path out = ctx.outputDir();
        Path done = out.resolve(DONE_FILE);
        if (Files.isRegularFile(done)) {
            log.println("train: " + done + " exists, the run has finished before; nothing to do");
            return Json.MAPPER.readValue(Files.readString(done), StageResult.class);
        }
        Path dataset = ctx.requiredInput(StageInputs.DATASET);
        Path modelDir = ctx.requiredInput(StageInputs.MODEL);
        Path imageRoot = ctx.optionalInput(StageInputs.IMAGE_ROOT);
        if (imageRoot == null) imageRoot = ctx.storageRoot();
        Path work = ctx.spec().paths.checkpointDir == null ? out.resolve("checkpoints")
                : ctx.resolve(ctx.spec().paths.checkpointDir, "paths.checkpointDir");
        double fraction = run.dataFraction == null ? 1.0 : run.dataFraction;
        if (!(fraction > 0 && fraction <= 1)) {
            throw new InvalidInputException(ctx.specFile(), "run.dataFraction must be in (0, 1], got " + fraction);
        }
        TrainConfig requested = TrainConfigs.of(run, ctx.specFile(), cpuShards);
        if (requested.batchShards() > 1) {
            log.println("train: each micro-batch split over " + requested.batchShards() + " threads, one model copy"
                    + " each (same loss, gradients summed shard by shard)");
        }
        log.println("train: precision " + requested.precision() + (requested.precision() == TrainConfig.Precision.FP16
                ? ": frozen weights stored in fp16, trainable weights, activations and optimiser state in fp32,"
                        + " arithmetic in fp32" : ": everything in fp32"));
        if (run.method == Method.DPO && !requested.dpo().precomputeReference()) {
            requireOnTheFlyReference(ctx, requested);
        }
        // A SteerLM set says itself how it conditions its prompts; checked before any weight is loaded.
        SteerLMDescriptor steer = run.method == Method.SteerLM ? TrainingData.steerLM(dataset) : null;

        StageResult result = new StageResult();
        try (VisionLanguageModel vlm = loadBase(modelDir, ctx.optionalInput(StageInputs.ADAPTER), requested)) {
            TrainConfig cfg = limitToModel(vlm, requested);
            TrainProgress progress = new TrainProgress(ctx.progress());
            // The per-step log beside adapter/ and merged/, where the evaluate stage's report finds it.
            MetricsLog metricsLog = new MetricsLog(out.resolve(ArtifactLayout.METRICS_LOG));
            MetricsListener listener = (step, total, metrics) -> {
                progress.onStep(step, total, metrics);
                metricsLog.onStep(step, total, metrics);
            };
            TrainResult trained;
            long examples;
            if (run.method == Method.DPO) {
                List<DpoPairRecord> pairs = TrainingData.dpoPairs(dataset, fraction);
                requireData(dataset, pairs.size());
                requireImages(ctx.claim(), dataset, imageRoot, pairs.stream().map(DpoPairRecord::images));
                pairs = fitting(vlm, cfg, dataset, pairs, DpoPairRecord::id, DpoPairRecord::prompt, DpoPairRecord::images, result);
                if (cfg.dpo().precomputeReference()) {
                    requireSameReferenceModel(dataset, pairs, modelDir, ctx.optionalInput(StageInputs.ADAPTER));
                    pairs = withoutMismatchedReference(vlm, pairs, cfg, result);
                    pairs = withReference(vlm, pairs, cfg, imageRoot, work);
                } else {
                    log.println("train: reference log-probs computed every step by the model with LoRA disabled"
                            + " (dpo.precomputeReferenceLogProbs=false)"
                            + (pairs.stream().anyMatch(DpoPairRecord::hasReference)
                                    ? "; the reference values stored in the pairs are not used" : ""));
                }
                examples = pairs.size();
                trained = new DpoTrainer(vlm, cfg, imageRoot).train(pairs, work, listener, ctx.stop()::requested);
            } else {
                List<SftExampleRecord> sft = TrainingData.sftExamples(dataset, fraction);
                requireData(dataset, sft.size());
                requireImages(ctx.claim(), dataset, imageRoot, sft.stream().map(SftExampleRecord::images));
                sft = fitting(vlm, cfg, dataset, sft, SftExampleRecord::id, SftExampleRecord::prompt, SftExampleRecord::images, result);
                examples = sft.size();
                trained = new SftTrainer(vlm, cfg, imageRoot).train(sft, work, listener, ctx.stop()::requested);
            }
            result.counts.put("steps", (long) trained.steps());
            result.counts.put("totalSteps", (long) trained.totalSteps());
            result.counts.put("stepsThisAttempt", (long) (trained.steps() - trained.resumedFromStep()));
            // Where this attempt started: 0, or the step of the checkpoint it resumed from.
            result.counts.put("resumedFromStep", (long) trained.resumedFromStep());
            result.counts.put("examples", examples);
            result.metrics.putAll(trained.lastMetrics());
            if (!trained.losses().isEmpty()) {
                // Over the run's steps that counted, earlier attempts' included (so a resumed run reports what an
                // uninterrupted one would): a skipped non-finite step (skipped_steps) did not train the model.
                result.metrics.put("train_loss", trained.losses().stream().mapToDouble(Double::doubleValue)
                        .filter(Double::isFinite).average().orElse(Double.NaN));
            }
            result.artifacts.put("checkpoints", ctx.relative(work));
            reportLatestCheckpoint(work, ctx, result);
            if (trained.stopped()) {
                result.outcome = StageResult.Outcome.interrupted;
                result.message = "stopped on request at step " + trained.steps() + " of " + trained.totalSteps()
                        + "; checkpoint saved, a rerun resumes";
                return result;
            }
            // No check of the last loss here: the engine skips non-finite steps, fails the run after
            // TrainConfig.maxNonFiniteSteps in a row (NonFiniteTrainingException: a retryable exit naming the step) and
            // never returns NaN weights.
            writeOutputs(vlm, cfg, trained, out, ctx, result, steer, modelDir);
            if (steer != null) {
                result.artifacts.put("steerLM", ctx.relative(out.resolve("merged").resolve(SteerLMDescriptor.FILE)));
            }
        }
        result.outcome = StageResult.Outcome.succeeded;
        AtomicFiles.write(done, Json.pretty(result) + "\n");
        return result;
    }

    /**
     * The latest complete checkpoint (what a retried or resumed pod starts from), as the operator reads it into
     * status.latestCheckpoint: artifact {@code checkpoint} and count {@code checkpointStep}.
     */
    private static void reportLatestCheckpoint(Path work, StageContext ctx, StageResult result) throws IOException {
        Optional<Path> latest = Checkpoints.latest(work);
        if (latest.isPresent()) {
            long step = Json.MAPPER.readTree(latest.get().resolve(Checkpoints.STATE).toFile()).path("step").asLong();
            result.artifacts.put("checkpoint", ctx.relative(latest.get()));
            result.counts.put("checkpointStep", step);
        }
    }

    /**
     * The base model, its weights streamed to the device in the storage dtypes {@code cfg}'s precision asks for; a
     * base that is another run's output with an adapter is loaded in fp32 and merged first (LoRA stacks on it), then
     * converted, so reference log-probs computed before training read the weights the policy will read.
     */
    private static VisionLanguageModel loadBase(Path modelDir, Path adapterDir, TrainConfig cfg) throws IOException {
        if (!Files.isRegularFile(modelDir.resolve("config.json"))) {
            throw new InvalidInputException(modelDir.resolve("config.json"), "base model folder has no config.json");
        }
        VisionLanguageModel vlm = ModelLoader.load(modelDir,
                adapterDir == null ? name -> WeightStorage.storedInHalf(cfg, name) : name -> false);
        if (adapterDir != null) {
            try {
                Lora.load(vlm.model(), adapterDir);
                Lora.merge(vlm.model());
                WeightStorage.apply(vlm.model(), cfg);
            } catch (IOException | RuntimeException e) {
                vlm.close();
                throw e;
            }
        }
        return vlm;
    }

    /** DPO with reference log-probs computed during training: only where the model can switch back to the base. */
    private static void requireOnTheFlyReference(StageContext ctx, TrainConfig cfg) {
        try {
            DpoTrainer.requireOnTheFlyReference(cfg);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(ctx.specFile(), "spec.dpo.precomputeReferenceLogProbs=false: "
                    + e.getMessage() + " (set spec.dpo.precomputeReferenceLogProbs=true"
                    + (cfg.lora() == null ? ", or enable spec.lora)" : ", or spec.lora.trainProjector=false)"));
        }
    }

    /**
     * maxLength never above the model's positions: the rotary table has maxPositions rows, so a longer sequence could
     * not be run at all (HF warns and caps the same way).
     */
    private TrainConfig limitToModel(VisionLanguageModel vlm, TrainConfig cfg) {
        int positions = vlm.model().config().text().maxPositions();
        if (cfg.maxLength() > positions) {
            log.println("train: training.maxLength " + cfg.maxLength() + " is above the model's max_position_embeddings "
                    + positions + "; using " + positions);
            return cfg.toBuilder().maxLength(positions).build();
        }
        return cfg;
    }

    /**
     * The examples whose prompt leaves room for at least one response token within maxLength, which counts the
     * sequence the model sees (image patches included). Responses are cut to fit while training; a prompt is never
     * cut (that would drop the image or, for SteerLM, the condition), so an example whose prompt alone fills maxLength
     * is left out and counted ({@code skippedPromptTooLong}) rather than trained on with no target token at all: such
     * rows give a loss of -0.0 and no gradient (TRL keeps them, silently). If no example fits, the run fails (exit 2).
     */
    private <E> List<E> fitting(VisionLanguageModel vlm, TrainConfig cfg, Path dataset, List<E> data,
                                Function<E, String> id, Function<E, String> prompt,
                                Function<E, List<String>> images, StageResult result) {
        List<E> kept = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int shortest = Integer.MAX_VALUE;
        for (E e : data) {
            int positions = vlm.promptPositions(prompt.apply(e), !images.apply(e).isEmpty());
            shortest = Math.min(shortest, positions);
            if (positions + 1 <= cfg.maxLength()) {
                kept.add(e);
            } else {
                skipped.add(id.apply(e));
            }
        }
        result.counts.put("skippedPromptTooLong", (long) skipped.size());
        if (kept.isEmpty()) {
            throw new InvalidInputException(dataset, "no example fits spec.training.maxLength=" + cfg.maxLength()
                    + ": the shortest prompt takes " + shortest + " positions (BOS and " + vlm.imagePositions()
                    + " image patches included) and a response needs at least one more; raise"
                    + " spec.training.maxLength");
        }
        if (!skipped.isEmpty()) {
            log.println("train: " + skipped.size() + " of " + data.size() + " examples skipped: their prompt leaves no"
                    + " room for a response within maxLength " + cfg.maxLength() + " (image patches count); first: "
                    + String.join(", ", skipped.subList(0, Math.min(5, skipped.size()))));
        }
        return kept;
    }

    private static void requireData(Path dataset, int size) {
        if (size == 0) throw new InvalidInputException(dataset, "training set is empty");
    }

    /** Every distinct image inside the claim and decodable under the size limits, before the first step. */
    private static void requireImages(ClaimPaths claim, Path dataset, Path imageRoot, Stream<List<String>> images) {
        Set<String> checked = new HashSet<>();
        images.filter(list -> !list.isEmpty()).map(list -> list.get(0)).filter(checked::add).forEach(image ->
                DataImages.check(claim.resolve(imageRoot, image, dataset + ": image"), image, dataset, 0,
                        "a training example"));
    }

    /**
     * Reference values stored in the pairs (the build stage's) are summed log-probs of the whole responses. This run
     * compares them with its own policy log-probs, which are averaged when dpo.averageLogProbs is set and cover only
     * the part of a response that fits maxLength: a stored value is kept only where both mean the same thing, else it
     * is dropped (and computed again before training, counted as {@code referenceRecomputed}).
     */
    private List<DpoPairRecord> withoutMismatchedReference(VisionLanguageModel vlm, List<DpoPairRecord> pairs, TrainConfig cfg,
                                                     StageResult result) {
        List<DpoPairRecord> out = new ArrayList<>();
        long dropped = 0;
        for (DpoPairRecord p : pairs) {
            boolean whole = fitsWhole(vlm, p, p.chosen(), cfg) && fitsWhole(vlm, p, p.rejected(), cfg);
            if (p.hasReference() && (cfg.dpo().averageLogProbs() || !whole)) {
                out.add(new DpoPairRecord(p.id(), p.images(), p.prompt(), p.chosen(), p.rejected(), p.chosenScore(),
                        p.rejectedScore(), null, null));
                dropped++;
            } else {
                out.add(p);
            }
        }
        result.counts.put("referenceRecomputed", dropped);
        if (dropped > 0) {
            log.println("train: " + dropped + " stored reference log-probs do not match this run's scoring ("
                    + (cfg.dpo().averageLogProbs() ? "averaged log-probs" : "responses cut at maxLength " + cfg.maxLength())
                    + "); computing them again");
        }
        return out;
    }

    /**
     * Stored reference log-probs are only as good as the model that computed them: a pair stamped by another model
     * than this run's reference (base folder plus input adapter, compared by {@link ModelFingerprint}) would train
     * against the wrong reference without any sign of it, so the run is refused (exit 2) naming both. Pairs from
     * files older than the stamp are used unchecked, with a warning.
     */
    private void requireSameReferenceModel(Path dataset, List<DpoPairRecord> pairs, Path modelDir, Path adapterDir)
            throws IOException {
        List<DpoPairRecord> stored = pairs.stream().filter(DpoPairRecord::hasReference).toList();
        if (stored.isEmpty()) return;
        DpoPairRecord.ReferenceModel here = new DpoPairRecord.ReferenceModel(
                adapterDir == null ? modelDir.toString() : modelDir + "+" + adapterDir,
                ModelFingerprint.of(modelDir, adapterDir));
        long unstamped = 0;
        for (DpoPairRecord p : stored) {
            if (p.referenceModel() == null || p.referenceModel().sha256() == null) {
                unstamped++;
            } else if (!p.referenceModel().sha256().equals(here.sha256())) {
                throw new InvalidInputException(dataset, "pair " + p.id() + ": its reference log-probs were computed"
                        + " by " + p.referenceModel() + ", but this run's reference model is " + here
                        + "; rebuild the pairs with this model, or remove refChosenLogp/refRejectedLogp so that"
                        + " training computes them");
            }
        }
        if (unstamped > 0) {
            log.println("train: WARNING: " + unstamped + " of " + pairs.size() + " pairs carry reference log-probs"
                    + " without a " + ReferenceStamp.FIELD + " stamp (a pair file from before stamps); they are used"
                    + " unchecked and must come from " + here);
        }
    }

    /** Whether prompt, image patches, the whole response and EOS fit maxLength (so training scores all of it). */
    private static boolean fitsWhole(VisionLanguageModel vlm, DpoPairRecord p, String response, TrainConfig cfg) {
        return vlm.conversationPositions(p.prompt(), response, !p.images().isEmpty()) <= cfg.maxLength();
    }

    /**
     * Reference log-probs of the untouched base for the pairs lacking them, computed once before training (the
     * paper's way) and cached in the work folder, so a resumed attempt reads them instead of recomputing them.
     */
    private List<DpoPairRecord> withReference(VisionLanguageModel vlm, List<DpoPairRecord> pairs, TrainConfig cfg,
                                        Path imageRoot, Path work) throws IOException {
        if (pairs.stream().allMatch(DpoPairRecord::hasReference)) return pairs;
        Path cache = work.resolve(REFERENCE_FILE);
        if (Files.isRegularFile(cache)) {
            List<DpoPairRecord> cached;
            try {
                cached = JsonlReader.readAll(cache, DpoPairRecord.class, null);
            } catch (InvalidInputException e) {
                // The cache is the trainer's own file, not user input: a damaged one is a retryable failure (exit 1),
                // not the permanent exit 2 of a bad input.
                throw new IOException("unreadable reference log-prob cache: " + e.getMessage(), e);
            }
            if (cached.stream().map(DpoPairRecord::id).toList().equals(pairs.stream().map(DpoPairRecord::id).toList())) {
                return cached;
            }
        }
        long missing = pairs.stream().filter(p -> !p.hasReference()).count();
        log.println("train: computing reference log-probs of " + missing + " pairs with the base model");
        List<DpoPairRecord> out = DpoTrainer.precomputeReference(vlm, pairs, cfg, imageRoot);
        Files.createDirectories(work);
        AtomicFiles.writeJsonl(cache, out);
        return out;
    }

    /**
     * The adapter (LoRA) and the merged model in the output folder, each replaced as a whole. A SteerLM run puts its
     * inference condition ({@link SteerLMDescriptor}) into both before they appear, so neither is ever seen without it.
     */
    private static void writeOutputs(VisionLanguageModel vlm, TrainConfig cfg, TrainResult trained, Path out,
                                     StageContext ctx, StageResult result, SteerLMDescriptor steer, Path base)
            throws IOException {
        Path merged = out.resolve("merged");
        if (cfg.lora() != null) {
            Path adapter = out.resolve("adapter");
            replaceDir(trained.output(), adapter, true, steer, null);
            result.artifacts.put("adapter", ctx.relative(adapter));
            Lora.merge(vlm.model());
            Path tmp = out.resolve(".merged.tmp");
            AtomicFiles.deleteTree(tmp);
            ModelLoader.save(vlm, tmp);
            replaceDir(tmp, merged, false, steer, base);
        } else {
            replaceDir(trained.output(), merged, true, steer, base);
        }
        result.artifacts.put("merged", ctx.relative(merged));
    }

    /**
     * Puts {@code from} at {@code to} (copy or move), through a temporary folder and a rename, with the SteerLM
     * descriptor (when there is one) and the tokenizer and processor files of {@code base} (when given: a merged model
     * must load in transformers as a whole) written into the temporary folder first.
     */
    private static void replaceDir(Path from, Path to, boolean copy, SteerLMDescriptor steer, Path base)
            throws IOException {
        Path tmp = to.resolveSibling("." + to.getFileName() + ".tmp");
        if (copy) {
            AtomicFiles.deleteTree(tmp);
            Files.createDirectories(tmp);
            try (Stream<Path> files = Files.list(from)) {
                for (Path f : files.toList()) {
                    Files.copy(f, tmp.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } else {
            tmp = from;
        }
        if (base != null) ModelLoader.copyProcessorFiles(base, tmp);
        if (steer != null) steer.write(tmp);
        AtomicFiles.deleteTree(to);
        Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE);
    }
}
