package dev.mmalign.trainer.stage;

import dev.mmalign.api.dataset.SamplingSpec;
import dev.mmalign.api.stage.StageInputs;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.trainer.data.AtomicFiles;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.JsonlAppender;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.ShardFiles;
import dev.mmalign.trainer.data.StableHash;
import dev.mmalign.trainer.progress.ProgressTracker;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The sample stage: K completions per prompt of this shard, appended to completions-i-of-n.jsonl, one write per
 * prompt. Prompt p is sampled with seed hash(sampling.seed, p), so reruns and reshards give the same completions,
 * and a rerun generates only the completion ids not yet in the file. Every shard also writes the (identical)
 * selected prompt file atomically, for the annotate and build stages.
 */
public final class SampleStage implements StageRunner.Stage {

    private final PolicyModelLoader loader;

    public SampleStage(PolicyModelLoader loader) {
        this.loader = loader;
    }

    @Override
    public StageResult run(StageContext ctx) throws Exception {
        SamplingSpec sampling = ctx.spec().sampling;
        if (sampling == null || ctx.spec().prompts == null) {
            throw new InvalidInputException(ctx.specFile(), "sample needs the prompts and sampling sections");
        }
        List<PromptRecord> selected = PromptSelection.select(ctx.spec().prompts, ctx.storageRoot(), ctx.specFile());
        Path promptsOut = ctx.optionalInput(StageInputs.PROMPTS);
        if (promptsOut == null) promptsOut = ctx.outputDir().resolve("prompts.jsonl");
        AtomicFiles.writeJsonl(promptsOut, selected);

        int k = sampling.completionsPerPrompt == null ? 4 : sampling.completionsPerPrompt;
        Path file = ShardFiles.of(ctx.outputDir(), "completions", ctx.shard().index, ctx.shard().count);
        Path imageRoot = ctx.resolve(ctx.spec().prompts.imageRoot == null ? "images" : ctx.spec().prompts.imageRoot);
        String modelName = modelName(ctx, sampling);

        StageResult result = new StageResult();
        try (JsonlAppender out = JsonlAppender.open(file)) {
            Set<String> done = new HashSet<>();
            for (CompletionRecord c : JsonlReader.readAll(file, CompletionRecord.class, CompletionRecord::problem)) {
                done.add(c.completionId());
            }
            List<PromptRecord> mine = new ArrayList<>();
            for (int i = 0; i < selected.size(); i++) {
                if (ctx.shard().owns(i)) mine.add(selected.get(i));
            }
            List<PromptRecord> todo = mine.stream().filter(p -> !allDone(p, k, done)).toList();
            long generated = 0;
            ProgressTracker tracker = new ProgressTracker(ctx.progress(), "sample", "prompts", mine.size(),
                    mine.size() - todo.size(), Clock.systemUTC());
            result.outcome = StageResult.Outcome.succeeded;
            if (!todo.isEmpty()) {
                try (PolicyModel model = loadModel(ctx, sampling)) {
                    for (PromptRecord p : todo) {
                        if (ctx.stop().requested()) {
                            result.outcome = StageResult.Outcome.interrupted;
                            result.message = "stopped on request; rerun resumes";
                            break;
                        }
                        List<CompletionRecord> missing = sample(model, p, k, sampling, imageRoot, modelName, done);
                        out.appendAll(missing);
                        generated += missing.size();
                        tracker.advance(1, null);
                    }
                }
            }
            result.counts.put("prompts", (long) mine.size());
            result.counts.put("promptsSelected", (long) selected.size());
            result.counts.put("skippedAlreadyDone", (long) (mine.size() - todo.size()));
            result.counts.put("completionsThisRun", generated);
            result.counts.put("completions", (long) done.size() + generated);
            result.artifacts.put("completions", ctx.relative(file));
            result.artifacts.put("prompts", ctx.relative(promptsOut));
        }
        return result;
    }

    private static boolean allDone(PromptRecord p, int k, Set<String> done) {
        for (int j = 0; j < k; j++) {
            if (!done.contains(CompletionRecord.idOf(p.id(), j))) return false;
        }
        return true;
    }

    /** Generates all K (so completion j is the same as in the first run) and keeps those not yet recorded. */
    private static List<CompletionRecord> sample(PolicyModel model, PromptRecord p, int k, SamplingSpec s,
                                                 Path imageRoot, String modelName, Set<String> done) {
        long seed = StableHash.of(s.seed == null ? 42L : s.seed, p.id());
        GenerationSettings settings = new GenerationSettings(k, s.temperature == null ? 0.7 : s.temperature,
                s.topP == null ? 1.0 : s.topP, s.maxNewTokens == null ? 512 : s.maxNewTokens, seed);
        Path image = p.hasImage() ? imageRoot.resolve(p.image()).normalize() : null;
        List<String> texts = model.generate(image, p.question(), settings);
        if (texts.size() != k) {
            throw new IllegalStateException("model returned " + texts.size() + " completions, expected " + k);
        }
        List<CompletionRecord> out = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            String id = CompletionRecord.idOf(p.id(), j);
            if (!done.contains(id)) {
                out.add(new CompletionRecord(p.id(), id, texts.get(j), modelName, settings.temperature(), seed));
            }
        }
        return out;
    }

    private PolicyModel loadModel(StageContext ctx, SamplingSpec sampling) throws Exception {
        Path model = ctx.optionalInput(StageInputs.MODEL);
        if (model == null && sampling.model != null && sampling.model.path != null) {
            model = ctx.resolve(sampling.model.path);
        }
        if (model == null) {
            throw new InvalidInputException(ctx.specFile(), "paths.inputs.model (or sampling.model.path) is required");
        }
        return loader.load(model, ctx.optionalInput(StageInputs.ADAPTER));
    }

    private static String modelName(StageContext ctx, SamplingSpec sampling) {
        if (sampling.model != null && sampling.model.alignmentRun != null) return sampling.model.alignmentRun;
        if (sampling.model != null && sampling.model.path != null) return sampling.model.path;
        String input = ctx.spec().paths.inputs == null ? null : ctx.spec().paths.inputs.get(StageInputs.MODEL);
        return input == null ? "unknown" : input;
    }
}
