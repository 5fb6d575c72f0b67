package dev.mmalign.trainer.sample;

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
import dev.mmalign.trainer.stage.ChatMessage;
import dev.mmalign.trainer.stage.GenerationSettings;
import dev.mmalign.trainer.stage.InferencePrecision;
import dev.mmalign.trainer.stage.PolicyModel;
import dev.mmalign.trainer.stage.PolicyModelLoader;
import dev.mmalign.trainer.stage.StageContext;
import dev.mmalign.trainer.stage.StageRunner;

import dev.mmalign.api.dataset.SamplingEndpointSpec;
import dev.mmalign.api.stage.SamplingEndpointWiring;
import dev.mmalign.trainer.net.Backoff;
import dev.mmalign.trainer.net.RateLimiter;
import dev.mmalign.trainer.net.Sleeper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sample stage: K completions per prompt of this shard, appended to completions-i-of-n.jsonl. Prompts are generated
 * {@code sampling.batchSize} at a time (one batch of batchSize × K sequences for the engine), and each batch's records
 * are appended in one write, after the whole batch is generated. Prompt p is sampled with seed hash(sampling.seed, p),
 * and the engine gives each prompt of a batch its own seed, so reruns, reshards and other batch sizes give the same
 * completions (up to float rounding of the batched forward pass, see Generator#generateSeeded). A rerun generates only
 * the prompts whose completion ids are not all in the file; every record is a whole line keyed by completion id, so a
 * write cut short leaves complete records (kept) and at most a torn last line (cut off and redone). Every shard also
 * writes the (identical) selected prompt file atomically, for the annotate and build stages. With
 * {@code sampling.endpoint} the completions come from a chat-completions server instead ({@link EndpointSampler}), with
 * the same K, temperature, top-p, most new tokens and per-prompt seeds, appended as each request answers.
 */
public final class SampleStage implements StageRunner.Stage {

    private final PolicyModelLoader loader;
    private final Map<String, String> env;
    private final Sleeper sleeper;

    /** A stage that reads a sampling endpoint's API key from the process's environment. */
    public SampleStage(PolicyModelLoader loader) {
        this(loader, System.getenv());
    }

    /** @param env where a sampling endpoint's API key is found ({@link SamplingEndpointWiring}) */
    public SampleStage(PolicyModelLoader loader, Map<String, String> env) {
        this(loader, env, Sleeper.REAL);
    }

    /** Tests replace waiting between retries. */
    SampleStage(PolicyModelLoader loader, Map<String, String> env, Sleeper sleeper) {
        this.loader = loader;
        this.env = env;
        this.sleeper = sleeper;
    }

    @Override
    public StageResult run(StageContext ctx) throws Exception {
        SamplingSpec sampling = ctx.spec().sampling;
        if (sampling == null || ctx.spec().prompts == null) {
            throw new InvalidInputException(ctx.specFile(), "sample needs the prompts and sampling sections");
        }
        boolean halfWeights = InferencePrecision.halfWeights(sampling.precision, ctx.specFile(),
                "spec.sampling.precision");
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
            if (!todo.isEmpty() && sampling.endpoint != null) {
                EndpointSampler.Outcome outcome = endpointSampler(ctx, sampling)
                        .run(todo, k, done, imageRoot, out, tracker, ctx.stop());
                generated = outcome.written();
                if (outcome.interrupted()) {
                    result.outcome = StageResult.Outcome.interrupted;
                    result.message = "stopped on request; rerun resumes";
                }
            } else if (!todo.isEmpty()) {
                try (PolicyModel model = loadModel(ctx, sampling, halfWeights)) {
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

    private EndpointSampler endpointSampler(StageContext ctx, SamplingSpec sampling) {
        SamplingEndpointSpec e = sampling.endpoint;
        if (e.url == null || e.url.isBlank() || e.model == null || e.model.isBlank()) {
            throw new InvalidInputException(ctx.specFile(), "sampling.endpoint needs url and model");
        }
        if (!e.url.startsWith("http://") && !e.url.startsWith("https://")) {
            throw new InvalidInputException(ctx.specFile(), "sampling.endpoint.url must be an http(s) URL, got "
                    + e.url);
        }
        double rps = e.requestsPerSecond == null ? 10.0 : e.requestsPerSecond;
        if (!(rps > 0) || (e.concurrency != null && e.concurrency < 1) || (e.maxRetries != null && e.maxRetries < 0)) {
            throw new InvalidInputException(ctx.specFile(), "sampling.endpoint: requestsPerSecond must be positive, "
                    + "concurrency at least 1 and maxRetries at least 0");
        }
        Duration timeout = Duration.ofSeconds(e.timeoutSeconds == null ? 600 : e.timeoutSeconds);
        ChatCompletionsClient client = new ChatCompletionsClient(e.url, e.model, apiKey(ctx, e), timeout);
        return new EndpointSampler(sampling, client, new RateLimiter(rps * 60, System::nanoTime, sleeper),
                Backoff.standard(), sleeper, ctx.specFile());
    }

    /** The key the pod contract hands over ({@link SamplingEndpointWiring}); null when the spec names none. */
    private String apiKey(StageContext ctx, SamplingEndpointSpec e) {
        String key = env.get(SamplingEndpointWiring.ENV_API_KEY);
        if (key != null && !key.isBlank()) return key.trim();
        String file = env.get(SamplingEndpointWiring.ENV_API_KEY_FILE);
        if (file != null && !file.isBlank()) {
            try {
                return Files.readString(Path.of(file)).trim();
            } catch (IOException ex) {
                // Retryable, like an unreadable judge key file; the message names the variable, never the key.
                throw new UncheckedIOException("cannot read the sampling endpoint's API key file named by "
                        + SamplingEndpointWiring.ENV_API_KEY_FILE, ex);
            }
        }
        if (e.apiKeySecret != null) {
            throw new InvalidInputException(ctx.specFile(), "sampling.endpoint.apiKeySecret is set, but this pod has "
                    + "neither " + SamplingEndpointWiring.ENV_API_KEY_FILE + " nor "
                    + SamplingEndpointWiring.ENV_API_KEY);
        }
        return null;
    }

    private PolicyModel loadModel(StageContext ctx, SamplingSpec sampling, boolean halfWeights) throws Exception {
        Path model = ctx.optionalInput(StageInputs.MODEL);
        if (model == null && sampling.model != null && sampling.model.path != null) {
            model = ctx.resolve(sampling.model.path, "sampling.model.path");
        }
        if (model == null) {
            throw new InvalidInputException(ctx.specFile(), "paths.inputs.model (or sampling.model.path) is required");
        }
        return loader.load(model, ctx.optionalInput(StageInputs.ADAPTER), halfWeights);
    }

    private static String modelName(StageContext ctx, SamplingSpec sampling) {
        if (sampling.model != null && sampling.model.alignmentRun != null) return sampling.model.alignmentRun;
        if (sampling.model != null && sampling.model.path != null) return sampling.model.path;
        String input = ctx.spec().paths.inputs == null ? null : ctx.spec().paths.inputs.get(StageInputs.MODEL);
        return input == null ? "unknown" : input;
    }
}
