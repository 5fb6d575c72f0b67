package dev.mmalign.trainer.sample;

import dev.mmalign.trainer.stage.ChatMessage;
import dev.mmalign.trainer.stage.GenerationSettings;
import dev.mmalign.trainer.stage.PolicyModel;
import dev.mmalign.trainer.stage.PolicyModelLoader;
import dev.mmalign.trainer.stage.StageContext;
import dev.mmalign.trainer.stage.StageRunner;
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
 * The sample stage: K completions per prompt of this shard, appended to completions-i-of-n.jsonl. Prompts are generated
 * {@code sampling.batchSize} at a time (one batch of batchSize × K sequences for the engine), and each batch's records
 * are appended in one write, after the whole batch is generated. Prompt p is sampled with seed hash(sampling.seed, p),
 * and the engine gives each prompt of a batch its own seed, so reruns, reshards and other batch sizes give the same
 * completions (up to float rounding of the batched forward pass, see Generator#generateSeeded). A rerun generates only
 * the prompts whose completion ids are not all in the file; every record is a whole line keyed by completion id, so a
 * write cut short leaves complete records (kept) and at most a torn last line (cut off and redone). Every shard also
 * writes the (identical) selected prompt file atomically, for the annotate and build stages.
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
        List<PromptRecord> selected = PromptSelection.select(ctx.spec().prompts, ctx.claim(), ctx.specFile());
        Path promptsOut = ctx.optionalInput(StageInputs.PROMPTS);
        if (promptsOut == null) promptsOut = ctx.outputDir().resolve("prompts.jsonl");
        AtomicFiles.writeJsonl(promptsOut, selected);

        int k = sampling.completionsPerPrompt == null ? 4 : sampling.completionsPerPrompt;
        Path file = ShardFiles.of(ctx.outputDir(), "completions", ctx.shard().index, ctx.shard().count);
        Path imageRoot = ctx.resolve(ctx.spec().prompts.imageRoot == null ? "images" : ctx.spec().prompts.imageRoot,
                "prompts.imageRoot");
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
            int batchSize = sampling.batchSize == null ? 8 : sampling.batchSize;
            if (batchSize < 1) {
                throw new InvalidInputException(ctx.specFile(), "sampling.batchSize must be at least 1, got "
                        + batchSize);
            }
            if (!todo.isEmpty()) {
                try (PolicyModel model = loadModel(ctx, sampling)) {
                    for (int from = 0; from < todo.size(); from += batchSize) {
                        if (ctx.stop().requested()) {
                            result.outcome = StageResult.Outcome.interrupted;
                            result.message = "stopped on request; rerun resumes";
                            break;
                        }
                        List<PromptRecord> batch = todo.subList(from, Math.min(todo.size(), from + batchSize));
                        List<CompletionRecord> missing = sample(model, batch, k, sampling, imageRoot, modelName, done);
                        out.appendAll(missing);
                        generated += missing.size();
                        tracker.advance(batch.size(), null);
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

    /**
     * Generates all K of every prompt of the batch (so completion j is the same as in the first run, whatever was
     * recorded before) and keeps those not yet recorded.
     */
    private static List<CompletionRecord> sample(PolicyModel model, List<PromptRecord> batch, int k, SamplingSpec s,
                                                 Path imageRoot, String modelName, Set<String> done) {
        List<PolicyModel.Request> requests = new ArrayList<>();
        for (PromptRecord p : batch) {
            long seed = StableHash.of(s.seed == null ? 42L : s.seed, p.id());
            GenerationSettings settings = new GenerationSettings(k, s.temperature == null ? 0.7 : s.temperature,
                    s.topP == null ? 1.0 : s.topP, s.maxNewTokens == null ? 512 : s.maxNewTokens, seed);
            Path image = p.hasImage() ? imageRoot.resolve(p.image()).normalize() : null;
            requests.add(new PolicyModel.Request(image, List.of(ChatMessage.user(p.question())), settings));
        }
        List<List<String>> texts = model.generateAll(requests);
        if (texts.size() != batch.size()) {
            throw new IllegalStateException("model answered " + texts.size() + " prompts, expected " + batch.size());
        }
        List<CompletionRecord> out = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            PromptRecord p = batch.get(i);
            GenerationSettings settings = requests.get(i).settings();
            if (texts.get(i).size() != k) {
                throw new IllegalStateException("model returned " + texts.get(i).size() + " completions for prompt "
                        + p.id() + ", expected " + k);
            }
            for (int j = 0; j < k; j++) {
                String id = CompletionRecord.idOf(p.id(), j);
                if (!done.contains(id)) {
                    out.add(new CompletionRecord(p.id(), id, texts.get(i).get(j), modelName, settings.temperature(),
                            settings.seed()));
                }
            }
        }
        return out;
    }

    private PolicyModel loadModel(StageContext ctx, SamplingSpec sampling) throws Exception {
        Path model = ctx.optionalInput(StageInputs.MODEL);
        if (model == null && sampling.model != null && sampling.model.path != null) {
            model = ctx.resolve(sampling.model.path, "sampling.model.path");
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
