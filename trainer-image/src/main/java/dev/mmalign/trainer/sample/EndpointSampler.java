package dev.mmalign.trainer.sample;

import dev.mmalign.api.dataset.SamplingEndpointSpec;
import dev.mmalign.api.dataset.SamplingSpec;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.JsonlAppender;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.StableHash;
import dev.mmalign.trainer.judge.ImageFiles;
import dev.mmalign.trainer.net.Backoff;
import dev.mmalign.trainer.net.RateLimiter;
import dev.mmalign.trainer.net.Sleeper;
import dev.mmalign.trainer.progress.ProgressTracker;
import dev.mmalign.trainer.stage.StopSignal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Samples the missing completions of a shard's prompts from a chat-completions endpoint
 * ({@code sampling.endpoint}): with {@code useN}, one request per prompt asks for all its missing completions; without,
 * one request per missing completion. Requests run {@code concurrency} at a time, their starts spaced by
 * {@code requestsPerSecond}; a retryable failure is retried after exponential backoff or what Retry-After asks,
 * whichever is longer. Each request's completions are appended as soon as it answers, so a restart asks only for what
 * is not in the file. A refused request (4xx) is invalid configuration (exit 2); retries used up fail the pod
 * (retryable, and its retry resumes). A stop request (or a failure) lets no new request or retry start; requests in
 * flight finish and are kept.
 */
final class EndpointSampler {

    /** Seeds sent fit 31 bits: every server's integer parser takes them (JSON numbers above 2^53 are not safe). */
    private static final long SEED_MASK = 0x7fffffffL;

    private final SamplingSpec sampling;
    private final SamplingEndpointSpec endpoint;
    private final ChatCompletionsClient client;
    private final RateLimiter limiter;
    private final Backoff backoff;
    private final Sleeper sleeper;
    private final Path specFile;

    EndpointSampler(SamplingSpec sampling, ChatCompletionsClient client, RateLimiter limiter, Backoff backoff,
                    Sleeper sleeper, Path specFile) {
        this.sampling = sampling;
        this.endpoint = sampling.endpoint;
        this.client = client;
        this.limiter = limiter;
        this.backoff = backoff;
        this.sleeper = sleeper;
        this.specFile = specFile;
    }

    /** What one run did. */
    record Outcome(long written, boolean interrupted) {}

    /** One request: the completion indices of one prompt it fills. */
    private record Unit(PromptRecord prompt, List<Integer> indices, Long seed) {}

    Outcome run(List<PromptRecord> todo, int k, Set<String> done, Path imageRoot, JsonlAppender out,
                ProgressTracker tracker, StopSignal stop) throws InterruptedException {
        List<Unit> units = new ArrayList<>();
        List<Integer> unitsPerPrompt = new ArrayList<>();
        for (PromptRecord p : todo) {
            List<Integer> missing = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                if (!done.contains(CompletionRecord.idOf(p.id(), j))) missing.add(j);
            }
            long promptSeed = StableHash.of(sampling.seed == null ? 42L : sampling.seed, p.id());
            int before = units.size();
            if (!Boolean.FALSE.equals(endpoint.useN)) {
                units.add(new Unit(p, missing, seedToSend(promptSeed)));
            } else {
                for (int j : missing) {
                    units.add(new Unit(p, List.of(j), seedToSend(StableHash.of(promptSeed, Integer.toString(j)))));
                }
            }
            unitsPerPrompt.add(units.size() - before);
        }

        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        AtomicLong written = new AtomicLong();
        int threads = Math.min(units.size(), endpoint.concurrency == null ? 8 : endpoint.concurrency);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "sample-endpoint");
            t.setDaemon(true);
            return t;
        });
        int unitIndex = 0;
        for (int count : unitsPerPrompt) {
            AtomicInteger open = new AtomicInteger(count);
            for (int u = 0; u < count; u++) {
                Unit unit = units.get(unitIndex++);
                pool.execute(() -> {
                    if (stop.requested() || failure.get() != null || Thread.currentThread().isInterrupted()) return;
                    try {
                        List<CompletionRecord> records = request(unit, imageRoot, () -> stop.requested()
                                || failure.get() != null);
                        if (records == null) return;
                        out.appendAll(records);
                        written.addAndGet(records.size());
                        if (open.decrementAndGet() == 0) tracker.advance(1, null);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
        }
        pool.shutdown();
        // In-flight requests are not interrupted: an interrupt during an append would close the file's channel. Each
        // request is bounded by timeoutSeconds, and one stopped by SIGKILL loses only its own completions.
        pool.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        if (failure.get() != null) throw failure.get();
        return new Outcome(written.get(), stop.requested());
    }

    private Long seedToSend(long seed) {
        return Boolean.FALSE.equals(endpoint.sendSeed) ? null : seed & SEED_MASK;
    }

    /** The unit's completions; null when {@code abandon} turned true before an answer came. */
    private List<CompletionRecord> request(Unit unit, Path imageRoot, BooleanSupplier abandon)
            throws InterruptedException {
        PromptRecord p = unit.prompt();
        Path image = p.hasImage() ? imageRoot.resolve(p.image()).normalize() : null;
        double temperature = sampling.temperature == null ? 0.7 : sampling.temperature;
        ChatCompletionsClient.Call call = new ChatCompletionsClient.Call(
                image == null ? null : ImageFiles.read(image), image == null ? null : ImageFiles.mimeType(image),
                p.question(), unit.indices().size(), temperature, sampling.topP == null ? 1.0 : sampling.topP,
                sampling.maxNewTokens == null ? 512 : sampling.maxNewTokens, unit.seed());
        List<String> texts = callWithRetries(call, p.id(), abandon);
        if (texts == null) return null;
        List<CompletionRecord> records = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            records.add(new CompletionRecord(p.id(), CompletionRecord.idOf(p.id(), unit.indices().get(i)),
                    texts.get(i), endpoint.model, temperature, unit.seed()));
        }
        return records;
    }

    private List<String> callWithRetries(ChatCompletionsClient.Call call, String promptId, BooleanSupplier abandon)
            throws InterruptedException {
        int maxRetries = endpoint.maxRetries == null ? 6 : endpoint.maxRetries;
        for (int attempt = 0; ; attempt++) {
            limiter.acquire();
            // A stop or another request's failure ends the retries too (not only the requests not yet started).
            if (abandon.getAsBoolean()) return null;
            try {
                return client.complete(call);
            } catch (EndpointCallException e) {
                if (!e.retryable) {
                    throw new InvalidInputException(specFile, "sampling.endpoint: " + endpoint.url
                            + " refused the request for prompt " + promptId + ": " + e.getMessage());
                }
                if (attempt >= maxRetries) {
                    throw new IllegalStateException("sampling.endpoint: prompt " + promptId + " failed after "
                            + (attempt + 1) + " attempts (sampling.endpoint.maxRetries=" + maxRetries + "), last: "
                            + e.getMessage(), e);
                }
                sleeper.sleep(Math.max(backoff.delayMillis(attempt), e.retryAfterMillis));
            }
        }
    }
}
