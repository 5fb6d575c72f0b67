package dev.mmalign.trainer.build;

import dev.mmalign.trainer.stage.PolicyModel;
import dev.mmalign.trainer.stage.PolicyModelLoader;
import dev.mmalign.trainer.stage.StageContext;
import dev.mmalign.trainer.stage.StageRunner;
import dev.mmalign.api.dataset.AnnotationSpec;
import dev.mmalign.api.dataset.DpoSetSpec;
import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.api.dataset.JudgeAgreementFile;
import dev.mmalign.api.dataset.RejectionSamplingSetSpec;
import dev.mmalign.api.dataset.SteerLMSetSpec;
import dev.mmalign.api.dataset.TrainingSetsSpec;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.StageInputs;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.ShardFiles;
import dev.mmalign.trainer.data.AtomicFiles;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.DatasetReader;
import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.DataImages;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.JsonlAppender;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.data.StableHash;
import dev.mmalign.trainer.agreement.HumanAgreement;
import dev.mmalign.trainer.progress.ProgressTracker;
import dev.mmalign.trainer.sets.AnnotatedPrompt;
import dev.mmalign.trainer.sets.DpoPairBuilder;
import dev.mmalign.trainer.sets.GoldSftBuilder;
import dev.mmalign.trainer.sets.RejectionSamplingBuilder;
import dev.mmalign.trainer.sets.ScoredCompletion;
import dev.mmalign.trainer.sets.SetStatistics;
import dev.mmalign.trainer.sets.SteerLMBuilder;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The build stage: the training sets of DESIGN.md §1 from the annotations, each written atomically as
 * &lt;outputDir&gt;/&lt;set&gt;.jsonl. Reference log-probs of the DPO pairs are computed with the sampling model once and
 * cached in an append-only file, so a rerun after a crash computes only the missing ones. Only prompts whose every
 * completion is rated are used; none such is exit 2 (empty training sets would only fail later, further from the
 * cause). With annotation.humanRatings, the judge's agreement with people goes to agreement.json beside the
 * annotations and into the result as "agreement/&lt;attribute&gt;/&lt;figure&gt;" metrics.
 */
public final class BuildStage implements StageRunner.Stage {

    public static final String REFERENCE_CACHE = "dpo-reference-logps.jsonl";

    private final PolicyModelLoader loader;

    public BuildStage(PolicyModelLoader loader) {
        this.loader = loader;
    }

    @Override
    public StageResult run(StageContext ctx) throws Exception {
        TrainingSetsSpec sets = ctx.spec().trainingSets != null ? ctx.spec().trainingSets : new TrainingSetsSpec();
        Path promptsFile = ctx.requiredInput(StageInputs.PROMPTS);
        Map<String, JsonlReader.Line<PromptRecord>> prompts = DatasetReader.prompts(promptsFile);
        Map<String, List<CompletionRecord>> completions =
                DatasetReader.completions(ctx.requiredInput(StageInputs.COMPLETIONS), prompts);
        Path annotationsDir = ctx.requiredInput(StageInputs.ANNOTATIONS);
        Map<String, AnnotationRecord> ratings = DatasetReader.annotations(annotationsDir);

        List<AnnotatedPrompt> annotated = new ArrayList<>();
        long partly = 0;
        for (JsonlReader.Line<PromptRecord> line : prompts.values()) {
            List<CompletionRecord> group = completions.getOrDefault(line.value().id(), List.of());
            List<ScoredCompletion> scored = new ArrayList<>();
            for (CompletionRecord c : group) {
                AnnotationRecord a = ratings.get(c.completionId());
                if (a != null) scored.add(new ScoredCompletion(c, a.ratings()));
            }
            if (!group.isEmpty() && scored.size() == group.size()) {
                annotated.add(new AnnotatedPrompt(line.value(), scored));
            } else if (!scored.isEmpty()) {
                partly++;
            }
        }

        if (annotated.isEmpty()) {
            throw new InvalidInputException(annotationsDir, "no prompt has all its completions rated (" + ratings.size()
                    + " usable ratings in the annotations-*.jsonl shard files, " + partly + " prompts partly rated): "
                    + "nothing to build; run or finish the annotate stage first");
        }

        Path out = ctx.outputDir();
        StageResult result = new StageResult();
        AnnotationSpec annotation = ctx.spec().annotation;
        if (annotation != null && annotation.humanRatings != null) {
            agreement(ctx, annotation, annotationsDir, prompts, completions, ratings, result);
        }
        result.counts.put("prompts", (long) prompts.size());
        result.counts.put("annotated", (long) annotated.size());
        result.counts.put("promptsPartlyAnnotated", partly);
        result.metrics.putAll(SetStatistics.attributeMeans(annotated));
        result.outcome = StageResult.Outcome.succeeded;

        DpoSetSpec dpo = sets.dpo;
        if (dpo != null && !Boolean.FALSE.equals(dpo.enabled)) {
            DpoPairBuilder.Result built = new DpoPairBuilder(dpo).build(annotated);
            List<DpoPairRecord> pairs = built.pairs();
            if (!Boolean.FALSE.equals(dpo.precomputeReferenceLogProbs) && !pairs.isEmpty()) {
                pairs = withReferenceLogps(ctx, pairs, promptsFile, prompts, result);
                if (pairs == null) return result;
            }
            AtomicFiles.writeJsonl(out.resolve("dpo.jsonl"), pairs);
            result.counts.put("dpoPairs", (long) pairs.size());
            result.counts.put("promptsWithoutPair", built.promptsWithoutPair());
            result.metrics.putAll(SetStatistics.dpo(pairs));
            result.artifacts.put("dpo", ctx.relative(out.resolve("dpo.jsonl")));
        }
        RejectionSamplingSetSpec rs = sets.rejectionSampling;
        if (rs != null && !Boolean.FALSE.equals(rs.enabled)) {
            writeSft(ctx, result, "rejectionSampling", new RejectionSamplingBuilder(rs.scoreAttributes).build(annotated));
        }
        SteerLMSetSpec steer = sets.steerLM;
        if (steer != null && !Boolean.FALSE.equals(steer.enabled)) {
            writeSft(ctx, result, "steerLM", new SteerLMBuilder(steer.template, steer.attributes).build(annotated));
        }
        if (sets.goldSFT != null && !Boolean.FALSE.equals(sets.goldSFT.enabled)) {
            List<PromptRecord> all = prompts.values().stream().map(JsonlReader.Line::value).toList();
            Map<String, String> judgeAnswers = new HashMap<>();
            for (AnnotationRecord a : ratings.values()) {
                if (a.goldAnswer() != null) judgeAnswers.putIfAbsent(a.promptId(), a.goldAnswer());
            }
            result.counts.put("judgeGoldAnswers", (long) judgeAnswers.size());
            writeSft(ctx, result, "goldSFT", GoldSftBuilder.build(all, judgeAnswers));
        }
        return result;
    }

    /** Compares the judge's ratings with people's and writes agreement.json beside the annotations. */
    private static void agreement(StageContext ctx, AnnotationSpec annotation, Path annotationsDir,
                                  Map<String, JsonlReader.Line<PromptRecord>> prompts,
                                  Map<String, List<CompletionRecord>> completions,
                                  Map<String, AnnotationRecord> ratings, StageResult result) {
        if (annotation.humanRatings.path == null || annotation.humanRatings.path.isBlank()) {
            throw new InvalidInputException(ctx.specFile(), "annotation.humanRatings.path is required");
        }
        List<HelpSteerAttribute> attributes = annotation.attributes == null || annotation.attributes.isEmpty()
                ? List.of(HelpSteerAttribute.values()) : annotation.attributes;
        Path humanFile = ctx.resolve(annotation.humanRatings.path, "annotation.humanRatings.path");
        // The judge's ratings of the responses people rated that were never sampled (the annotate stage's files).
        Map<String, AnnotationRecord> judged = new LinkedHashMap<>(ratings);
        for (Path f : ShardFiles.list(annotationsDir, ArtifactLayout.JUDGED_HUMAN_RATED_PREFIX)) {
            for (AnnotationRecord a : JsonlReader.readAll(f, AnnotationRecord.class, AnnotationRecord::problem)) {
                judged.putIfAbsent(a.completionId(), a);
            }
        }
        JudgeAgreementFile file = HumanAgreement.compute(humanFile, ctx.relative(humanFile), attributes, prompts,
                completions, judged);
        Path written = annotationsDir.resolve(ArtifactLayout.AGREEMENT_FILE);
        AtomicFiles.write(written, Json.pretty(file));
        HumanAgreement.putMetrics(file, result.metrics);
        result.counts.put("humanRatedCompared", file.completionsCompared);
        result.artifacts.put("agreement", ctx.relative(written));
    }

    private static void writeSft(StageContext ctx, StageResult result, String name, List<SftExampleRecord> records) {
        Path file = ctx.outputDir().resolve(name + ".jsonl");
        AtomicFiles.writeJsonl(file, records);
        result.counts.put(name, (long) records.size());
        result.artifacts.put(name, ctx.relative(file));
    }

    /** The pairs with reference log-probs, or null when stopped on request (the cache keeps what was done). */
    private List<DpoPairRecord> withReferenceLogps(StageContext ctx, List<DpoPairRecord> pairs, Path promptsFile,
                                                   Map<String, JsonlReader.Line<PromptRecord>> prompts,
                                                   StageResult result) throws Exception {
        Path cacheFile = ctx.outputDir().resolve(REFERENCE_CACHE);
        Path imageRoot = ctx.optionalInput(StageInputs.IMAGE_ROOT);
        try (JsonlAppender cache = JsonlAppender.open(cacheFile)) {
            Path modelDir = ctx.optionalInput(StageInputs.MODEL);
            if (modelDir == null) {
                throw new InvalidInputException(ctx.specFile(), "paths.inputs.model is required to precompute "
                        + "reference log-probs (or set trainingSets.dpo.precomputeReferenceLogProbs=false)");
            }
            Path adapterDir = ctx.optionalInput(StageInputs.ADAPTER);
            DpoPairRecord.ReferenceModel reference = new DpoPairRecord.ReferenceModel(
                    adapterDir == null ? modelDir.toString() : modelDir + "+" + adapterDir,
                    loader.fingerprint(modelDir, adapterDir));
            Map<String, ReferenceLogpRecord> known = new HashMap<>();
            for (ReferenceLogpRecord r : JsonlReader.readAll(cacheFile, ReferenceLogpRecord.class, null)) {
                if (reference.sha256().equals(r.modelSha256())) {
                    known.put(r.pairId() + "/" + r.textHash(), r);
                }
            }
            List<DpoPairRecord> missing = pairs.stream().filter(p -> !known.containsKey(key(p))).toList();
            result.counts.put("referenceLogpsReused", (long) (pairs.size() - missing.size()));
            if (!missing.isEmpty()) {
                ProgressTracker tracker = new ProgressTracker(ctx.progress(), "build", "pairs", pairs.size(),
                        pairs.size() - missing.size(), Clock.systemUTC());
                try (PolicyModel model = loader.load(modelDir, adapterDir)) {
                    for (DpoPairRecord p : missing) {
                        if (ctx.stop().requested()) {
                            result.outcome = StageResult.Outcome.interrupted;
                            result.message = "stopped on request while computing reference log-probs; rerun resumes";
                            return null;
                        }
                        Path image = imageOf(p, imageRoot, ctx, promptsFile, prompts);
                        // Summed log-probs, as the paper's DPO uses (not averaged over tokens).
                        ReferenceLogpRecord r = new ReferenceLogpRecord(p.id(), textHash(p), reference.sha256(),
                                model.logProb(image, p.prompt(), p.chosen(), false),
                                model.logProb(image, p.prompt(), p.rejected(), false));
                        cache.append(r);
                        known.put(key(p), r);
                        tracker.advance(1, null);
                    }
                }
            }
            result.counts.put("referenceLogpsComputed", (long) missing.size());
            List<DpoPairRecord> out = new ArrayList<>();
            for (DpoPairRecord p : pairs) {
                ReferenceLogpRecord r = known.get(key(p));
                out.add(p.withReferenceLogps(r.chosen(), r.rejected(), reference));
            }
            return out;
        }
    }

    private static Path imageOf(DpoPairRecord p, Path imageRoot, StageContext ctx, Path promptsFile,
                                Map<String, JsonlReader.Line<PromptRecord>> prompts) {
        if (p.images().isEmpty()) return null;
        return DataImages.checked(ctx.claim(), imageRoot == null ? ctx.storageRoot() : imageRoot, p.images().get(0),
                promptsFile, prompts.get(p.id()).number(), "prompt " + p.id());
    }

    private static String key(DpoPairRecord p) {
        return p.id() + "/" + textHash(p);
    }

    private static long textHash(DpoPairRecord p) {
        return StableHash.of(0, p.prompt() + "\u0000" + p.chosen() + "\u0000" + p.rejected());
    }
}
