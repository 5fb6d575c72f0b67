package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.bench.BenchmarkSpec;
import dev.mmalign.api.bench.NoisyImage;
import dev.mmalign.api.common.JudgeProvider;
import dev.mmalign.api.common.JudgeSpec;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageInputs;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.JsonlAppender;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.ShardFiles;
import dev.mmalign.trainer.data.SpendRecord;
import dev.mmalign.trainer.data.Usage;
import dev.mmalign.trainer.judge.CostBudget;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.judge.JudgeUnavailableException;
import dev.mmalign.trainer.judge.ResilientJudges;
import dev.mmalign.trainer.judge.ShardShare;
import dev.mmalign.trainer.progress.ProgressTracker;
import dev.mmalign.trainer.stage.InferencePrecision;
import dev.mmalign.trainer.stage.PolicyModel;
import dev.mmalign.trainer.stage.PolicyModelLoader;
import dev.mmalign.trainer.stage.StageContext;
import dev.mmalign.trainer.stage.StageRunner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The evaluate stage: every model of this shard (shards split the models) answers every benchmark; each answered and
 * scored question is appended to samples/&lt;model&gt;/&lt;benchmark&gt;.jsonl, so a rerun continues where it stopped. The
 * summaries go into the result, results.json and report.html in the output folder; the report also shows the
 * models' training curves and the dataset (rating distributions, pair margins, judge-human agreement, samples) where
 * {@link ReportSources} finds them. What the judge cost is appended to spend-i-of-n.jsonl as it is paid, so a rerun's
 * budget starts from everything earlier runs spent.
 */
public final class EvaluateStage implements StageRunner.Stage {

    private final PolicyModelLoader loader;
    private final Map<String, String> env;
    private final JudgeTuning tuning;

    public EvaluateStage(PolicyModelLoader loader, Map<String, String> env, JudgeTuning tuning) {
        this.loader = loader;
        this.env = env;
        this.tuning = tuning;
    }

    @Override
    public StageResult run(StageContext ctx) throws Exception {
        Path results = ctx.optionalInput(StageInputs.RESULTS);
        if (results != null) {
            // A suite's report step: the models' own evaluate pods scored them; merge and render only.
            return SuiteReport.write(ctx, results);
        }
        List<ResolvedModel> models = ctx.spec().models;
        List<BenchmarkSpec> benchmarks = ctx.spec().benchmarks;
        if (models == null || models.isEmpty() || benchmarks == null || benchmarks.isEmpty()) {
            throw new InvalidInputException(ctx.specFile(), "evaluate needs models and benchmarks");
        }
        // The suite's spec.precision (an AlignmentRun's spec.evaluation.precision is copied there).
        boolean halfWeights = InferencePrecision.halfWeights(ctx.spec().evaluationPrecision, ctx.specFile(),
                "spec.precision");
        Path out = ctx.outputDir();
        Map<String, List<BenchmarkItem>> itemsByBenchmark = new LinkedHashMap<>();
        Map<String, NoisyPhotos> photosByBenchmark = new LinkedHashMap<>();
        Map<String, Integer> batchSizes = new LinkedHashMap<>();
        for (BenchmarkSpec b : benchmarks) {
            if (b.name == null || b.dataPath == null) {
                throw new InvalidInputException(ctx.specFile(), "every benchmark needs name and dataPath");
            }
            if (b.noisyImage == NoisyImage.PHOTOS) {
                if (b.noisyImageDir == null) {
                    throw new InvalidInputException(ctx.specFile(), "benchmark " + b.effectiveId()
                            + ": noisyImage photos needs noisyImageDir");
                }
                photosByBenchmark.put(b.effectiveId(), NoisyPhotos.of(
                        ctx.resolve(b.noisyImageDir, "benchmarks[" + b.name + "].noisyImageDir"), ctx.specFile()));
            }
            List<BenchmarkItem> items = BenchmarkReaders.read(b.name,
                    ctx.resolve(b.dataPath, "benchmarks[" + b.name + "].dataPath"),
                    b.imageRoot == null ? null : ctx.resolve(b.imageRoot, "benchmarks[" + b.name + "].imageRoot"),
                    out.resolve("images"));
            if (items.isEmpty()) {
                throw new InvalidInputException(ctx.resolve(b.dataPath, "benchmarks[" + b.name + "].dataPath"),
                        "benchmark " + b.effectiveId() + " holds no questions");
            }
            int batchSize = b.batchSize == null ? BenchmarkSpec.DEFAULT_BATCH_SIZE : b.batchSize;
            if (batchSize < 1) {
                throw new InvalidInputException(ctx.specFile(), "benchmark " + b.effectiveId()
                        + ": batchSize must be at least 1, got " + batchSize);
            }
            batchSizes.put(b.effectiveId(), batchSize);
            if (b.limit != null && items.size() > b.limit) items = items.subList(0, b.limit);
            List<BenchmarkItem> withNoise = new ArrayList<>();
            for (BenchmarkItem item : items) {
                Path noise = item.image() == null
                        ? NoisyImages.imageFor(b.noisyImage, item.id(), out.resolve("noise")) : null;
                withNoise.add(noise == null ? item : item.withImage(noise));
            }
            itemsByBenchmark.put(b.effectiveId(), withNoise);
        }
        Files.createDirectories(out);
        Path spendFile = ShardFiles.of(out, ArtifactLayout.SPEND_PREFIX, ctx.shard().index, ctx.shard().count);
        try (JsonlAppender ledger = JsonlAppender.open(spendFile)) {
            // Opened first: opening cuts a torn last line, so the ledger read back is whole.
            Usage earlier = Usage.NONE;
            for (SpendRecord r : JsonlReader.readAll(spendFile, SpendRecord.class, null)) {
                if (r.usage() != null) earlier = earlier.plus(r.usage());
            }
            BenchmarkJudge judge = judgeIfNeeded(ctx, benchmarks, ledger, earlier.usd());
            StageResult result = evaluate(ctx, models, benchmarks, itemsByBenchmark, photosByBenchmark, batchSizes,
                    judge, halfWeights);
            Usage total = judge == null ? earlier : earlier.plus(judge.spent());
            result.counts.put("judgeRequests", total.requests());
            result.metrics.put("judgeCostUSD", total.usd());
            return result;
        }
    }

    private StageResult evaluate(StageContext ctx, List<ResolvedModel> models, List<BenchmarkSpec> benchmarks,
                                 Map<String, List<BenchmarkItem>> itemsByBenchmark,
                                 Map<String, NoisyPhotos> photosByBenchmark, Map<String, Integer> batchSizes,
                                 BenchmarkJudge judge, boolean halfWeights) throws Exception {
        Path out = ctx.outputDir();

        List<ResolvedModel> mine = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) if (ctx.shard().owns(i)) mine.add(models.get(i));
        long total = mine.size() * (long) itemsByBenchmark.values().stream().mapToInt(List::size).sum();
        ProgressTracker tracker = new ProgressTracker(ctx.progress(), "evaluate", "samples", total, 0,
                Clock.systemUTC());

        StageResult result = new StageResult();
        result.outcome = StageResult.Outcome.succeeded;
        Path resultsFile = out.resolve(StageInputs.RESULTS_FILE);
        Path report = out.resolve("report.html");
        long samples = 0;
        // Training curves, dataset and samples: read once; a missing input only leaves its section out.
        List<dev.mmalign.trainer.report.Section> reportSections = ReportSources.sections(ctx);
        for (ResolvedModel m : mine) {
            Map<String, Map<String, Double>> scores = new LinkedHashMap<>();
            try (PolicyModel model = loader.load(ctx.resolve(m.path, "models[" + m.name + "].path"),
                    m.adapterPath == null ? null : ctx.resolve(m.adapterPath, "models[" + m.name + "].adapterPath"),
                    halfWeights)) {
                for (BenchmarkSpec b : benchmarks) {
                    String id = b.effectiveId();
                    Path samplesFile = out.resolve("samples").resolve(m.name).resolve(id + ".jsonl");
                    Path dataFile = ctx.resolve(b.dataPath, "benchmarks[" + b.name + "].dataPath");
                    BenchmarkRun run = new BenchmarkRun(b.name, model, b.maxNewTokens == null ? 512 : b.maxNewTokens,
                            judge, dataFile, photosByBenchmark.get(id));
                    StageResult.Outcome stopped = answerAll(ctx, run, itemsByBenchmark.get(id), batchSizes.get(id),
                            samplesFile, tracker);
                    if (stopped != null) {
                        result.outcome = stopped;
                        result.message = stopped == StageResult.Outcome.budgetExhausted
                                ? "judge budget spent; samples so far are kept" : "stopped on request; rerun resumes";
                        return result;
                    }
                    Map<String, BenchmarkItem> byId = new LinkedHashMap<>();
                    itemsByBenchmark.get(id).forEach(item -> byId.put(item.id(), item));
                    List<SampleOutput> outputs = readOutputs(samplesFile, byId.keySet());
                    Map<String, Double> metrics = BenchmarkMetrics.summarize(b.name, outputs, byId, dataFile);
                    scores.put(id, metrics);
                    metrics.forEach((k, v) -> result.metrics.put(m.name + "/" + id + "/" + k, v));
                    result.artifacts.put("samples/" + m.name + "/" + id, ctx.relative(samplesFile));
                    samples += outputs.size();
                }
            }
            ResultsFile.merge(resultsFile, report, m.name, scores, reportSections);
        }
        result.counts.put("models", (long) mine.size());
        result.counts.put("samples", samples);
        result.artifacts.put("results", ctx.relative(resultsFile));
        result.artifacts.put("report", ctx.relative(report));
        return result;
    }

    /**
     * Answers the items not yet in the samples file, {@code batchSize} at a time where the benchmark answers in batches
     * ({@link BenchmarkRun#batched}), else one by one; returns how it stopped early, or null when all are done.
     */
    private static StageResult.Outcome answerAll(StageContext ctx, BenchmarkRun run, List<BenchmarkItem> items,
                                                 int batchSize, Path samplesFile, ProgressTracker tracker)
            throws JudgeUnavailableException, InterruptedException {
        try (JsonlAppender appender = JsonlAppender.open(samplesFile)) {
            Set<String> done = new HashSet<>();
            for (SampleOutput o : JsonlReader.readAll(samplesFile, SampleOutput.class, null)) done.add(o.id());
            tracker.advance(done.size(), null);
            List<BenchmarkItem> todo = new ArrayList<>();
            for (BenchmarkItem item : items) if (!done.contains(item.id())) todo.add(item);
            int step = run.batched() ? batchSize : 1;
            List<SampleOutput> pending = new ArrayList<>();
            try {
                for (int from = 0; from < todo.size(); from += step) {
                    if (ctx.stop().requested()) return StageResult.Outcome.interrupted;
                    List<BenchmarkItem> batch = todo.subList(from, Math.min(todo.size(), from + step));
                    try {
                        pending.addAll(run.batched() ? run.evaluateAll(batch) : List.of(run.evaluate(batch.get(0))));
                    } catch (BenchmarkJudge.BudgetSpent e) {
                        return StageResult.Outcome.budgetExhausted;
                    }
                    tracker.advance(batch.size(), null);
                    if (pending.size() >= APPEND_EVERY || run.judged()) {
                        appender.appendAll(pending);
                        pending.clear();
                    }
                }
            } finally {
                // Whatever way the loop ends (stop, budget, an error), the answers already paid for in time are kept.
                if (!pending.isEmpty()) {
                    appender.appendAll(pending);
                }
            }
        }
        return null;
    }

    /**
     * Answers written (and forced to disk) together, after the batch that brings at least this many. One force per
     * answer cost the quickstart's evaluation about a tenth of its time on a busy disk. A pod killed hard loses the batch
     * in progress and, with batches smaller than this, fewer than this many answers not yet written; a rerun makes them
     * again.
     * Answers that a paid judge scored are written one by one (see {@link BenchmarkRun#judged}).
     */
    static final int APPEND_EVERY = 16;

    /** The outputs of the current items, first record per id (a rerun never counts a sample twice). */
    private static List<SampleOutput> readOutputs(Path file, Set<String> ids) {
        Map<String, SampleOutput> byId = new LinkedHashMap<>();
        for (SampleOutput o : JsonlReader.readAll(file, SampleOutput.class, null)) {
            if (ids.contains(o.id())) byId.putIfAbsent(o.id(), o);
        }
        return new ArrayList<>(byId.values());
    }

    private BenchmarkJudge judgeIfNeeded(StageContext ctx, List<BenchmarkSpec> benchmarks, JsonlAppender ledger,
                                         double spentEarlierUsd) {
        boolean needed = benchmarks.stream().anyMatch(b -> b.name.judgeScored());
        if (!needed) return null;
        JudgeSpec spec = ctx.spec().judge;
        if (spec == null || spec.provider == null) {
            throw new InvalidInputException(ctx.specFile(), "judge-scored benchmarks need judge");
        }
        if (spec.provider != JudgeProvider.VERTEX_GEMINI && spec.provider != JudgeProvider.OPENAI_COMPATIBLE) {
            throw new InvalidInputException(ctx.specFile(), "judge provider " + spec.provider.wireName()
                    + " cannot score open-ended answers; use vertex-gemini or openai-compatible");
        }
        CostBudget budget = new CostBudget(ShardShare.costUsd(spec.maxCostUSD, ctx.shard().count), spentEarlierUsd);
        return new BenchmarkJudge(ResilientJudges.create(spec, ctx, env, tuning, budget), ledger);
    }
}
