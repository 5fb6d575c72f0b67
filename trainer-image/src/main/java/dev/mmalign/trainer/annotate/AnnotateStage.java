package dev.mmalign.trainer.annotate;

import dev.mmalign.api.common.JudgeProvider;
import dev.mmalign.api.dataset.AnnotationSpec;
import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.StageCounts;
import dev.mmalign.api.stage.StageInputs;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.DatasetReader;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.JsonlAppender;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.QuarantineRecord;
import dev.mmalign.trainer.data.ShardFiles;
import dev.mmalign.trainer.data.SpendRecord;
import dev.mmalign.trainer.data.Usage;
import dev.mmalign.trainer.judge.CostBudget;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.judge.ResilientJudge;
import dev.mmalign.trainer.judge.ResilientJudges;
import dev.mmalign.trainer.judge.ShardShare;
import dev.mmalign.trainer.progress.ProgressTracker;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The annotate stage: rates this shard's prompts and appends the ratings to annotations-i-of-n.jsonl (one write per
 * prompt) and set-aside prompts to quarantine-i-of-n.jsonl. A rerun skips prompts recorded in either file and counts
 * their cost from the files (and from spend-i-of-n.jsonl, the attempts of prompts the budget stopped mid-retry),
 * so nothing is paid or counted twice and a rerun with the same budget never spends past it. A prompt the judge
 * keeps failing on (429, 5xx, timeouts) through every retry is quarantined with the last error and asked again by
 * the next run; more of them than annotation.maxFailureRatio allows is an outage: exit 1 (retry later). Stops
 * cleanly (exit 3) when the cost budget is spent, exit 2 on invalid input or a request the judge rejects.
 */
public final class AnnotateStage implements StageRunner.Stage {

    private final Map<String, String> env;
    private final JudgeTuning tuning;

    public AnnotateStage(Map<String, String> env, JudgeTuning tuning) {
        this.env = env;
        this.tuning = tuning;
    }

    @Override
    public StageResult run(StageContext ctx) throws Exception {
        AnnotationSpec spec = ctx.spec().annotation;
        if (spec == null || spec.provider == null) {
            throw new InvalidInputException(ctx.specFile(), "annotation.provider is required for the annotate stage");
        }
        List<HelpSteerAttribute> attributes = spec.attributes == null || spec.attributes.isEmpty()
                ? List.of(HelpSteerAttribute.values()) : spec.attributes;
        Path promptsFile = ctx.requiredInput(StageInputs.PROMPTS);
        Map<String, JsonlReader.Line<PromptRecord>> prompts = DatasetReader.prompts(promptsFile);
        Map<String, List<CompletionRecord>> completions =
                DatasetReader.completions(ctx.requiredInput(StageInputs.COMPLETIONS), prompts);

        int index = ctx.shard().index;
        int count = ctx.shard().count;
        Path out = ctx.outputDir();
        Files.createDirectories(out);
        Path annotationsFile = ShardFiles.of(out, "annotations", index, count);
        Path quarantineFile = ShardFiles.of(out, "quarantine", index, count);
        Path spendFile = ShardFiles.of(out, ArtifactLayout.SPEND_PREFIX, index, count);

        // People's ratings of responses never sampled (annotation.humanRatings): the judge rates them too, apart.
        boolean judgeHumanRated = spec.humanRatings != null && spec.provider != JudgeProvider.IMPORT;
        Path humanRatedFile = ShardFiles.of(out, ArtifactLayout.JUDGED_HUMAN_RATED_PREFIX, index, count);
        Path humanQuarantineFile = ShardFiles.of(out, ArtifactLayout.JUDGED_HUMAN_RATED_PREFIX + "-quarantine",
                index, count);

        try (JsonlAppender annotations = JsonlAppender.open(annotationsFile);
             JsonlAppender quarantine = JsonlAppender.open(quarantineFile);
             JsonlAppender spend = JsonlAppender.open(spendFile);
             JsonlAppender humanRated = judgeHumanRated ? JsonlAppender.open(humanRatedFile) : null;
             JsonlAppender humanQuarantine = judgeHumanRated ? JsonlAppender.open(humanQuarantineFile) : null) {
            // Opened first: opening cuts a torn last line, so the files read back below are whole.
            Map<String, AnnotationRecord> doneRatings = new LinkedHashMap<>();
            for (AnnotationRecord a : JsonlReader.readAll(annotationsFile, AnnotationRecord.class,
                    AnnotationRecord::problem)) {
                doneRatings.putIfAbsent(a.completionId(), a);
            }
            List<QuarantineRecord> quarantineLines = JsonlReader.readAll(quarantineFile, QuarantineRecord.class, null);
            // Set aside for good (malformed answers, partial imports); ones the judge failed on are asked again.
            Map<String, QuarantineRecord> quarantined = new LinkedHashMap<>();
            Set<String> setAsideEarlier = new HashSet<>();
            for (QuarantineRecord q : quarantineLines) {
                setAsideEarlier.add(q.promptId());
                if (!q.judgeUnavailable()) quarantined.putIfAbsent(q.promptId(), q);
            }
            List<SpendRecord> spendLines = JsonlReader.readAll(spendFile, SpendRecord.class, null);
            Usage earlier = usageOf(doneRatings.values(), quarantineLines, spendLines);
            List<PromptGroup> humanMine = List.of();
            List<PromptGroup> humanTodo = List.of();
            if (judgeHumanRated) {
                Map<String, AnnotationRecord> humanDone = new LinkedHashMap<>();
                for (AnnotationRecord a : JsonlReader.readAll(humanRatedFile, AnnotationRecord.class,
                        AnnotationRecord::problem)) {
                    humanDone.putIfAbsent(a.completionId(), a);
                }
                List<QuarantineRecord> humanSetAside = JsonlReader.readAll(humanQuarantineFile,
                        QuarantineRecord.class, null);
                earlier = earlier.plus(usageOf(humanDone.values(), humanSetAside, List.of()));
                Set<String> humanQuarantined = new HashSet<>();
                humanSetAside.stream().filter(q -> !q.judgeUnavailable()).forEach(q -> humanQuarantined.add(q.promptId()));
                humanMine = humanRatedGroups(ctx, spec, attributes, prompts, completions);
                humanTodo = humanMine.stream().filter(g -> !humanQuarantined.contains(g.prompt().id())
                        && !g.completions().stream().allMatch(c -> humanDone.containsKey(c.completionId()))).toList();
            }

            List<PromptGroup> mine = new ArrayList<>();
            long ordinal = 0;
            long withoutCompletions = 0;
            for (JsonlReader.Line<PromptRecord> line : prompts.values()) {
                boolean owned = ctx.shard().owns(ordinal++);
                List<CompletionRecord> group = completions.get(line.value().id());
                if (!owned) continue;
                if (group == null || group.isEmpty()) {
                    withoutCompletions++;
                    continue;
                }
                mine.add(new PromptGroup(line.value(), line.number(), group));
            }
            List<PromptGroup> todo = mine.stream()
                    .filter(g -> !quarantined.containsKey(g.prompt().id())
                            && !g.completions().stream().allMatch(c -> doneRatings.containsKey(c.completionId())))
                    .toList();

            CostBudget budget = new CostBudget(ShardShare.costUsd(spec.maxCostUSD, count), earlier.usd());
            Map<String, Long> importCounts = new LinkedHashMap<>();
            Annotator annotator = annotator(ctx, spec, attributes, promptsFile, prompts, completions, budget,
                    importCounts);
            int threads = isJudge(spec.provider)
                    ? ShardShare.concurrency(spec.concurrency == null ? 4 : spec.concurrency, index, count) : 1;

            ProgressTracker tracker = new ProgressTracker(ctx.progress(), "annotate", "prompts",
                    mine.size() + humanMine.size(), mine.size() - todo.size() + humanMine.size() - humanTodo.size(),
                    Clock.systemUTC());
            double maxFailureRatio = spec.maxFailureRatio == null ? AnnotationSpec.DEFAULT_MAX_FAILURE_RATIO
                    : spec.maxFailureRatio;
            long allowedFailures = (long) Math.floor(maxFailureRatio * todo.size());
            Run run = execute(ctx, todo, annotator, new Sinks(annotations, quarantine, spend), threads, tracker,
                    allowedFailures, maxFailureRatio);
            Run humanRun = null;
            if (!run.halted() && !humanTodo.isEmpty()) {
                humanRun = execute(ctx, humanTodo, annotator, new Sinks(humanRated, humanQuarantine, spend), threads,
                        tracker, (long) Math.floor(maxFailureRatio * humanTodo.size()), maxFailureRatio);
            }

            StageResult result = new StageResult();
            long annotatedNow = run.rated.get();
            Set<String> annotatedIds = new HashSet<>(run.ratedIds);
            for (PromptGroup g : mine) {
                if (g.completions().stream().allMatch(c -> doneRatings.containsKey(c.completionId()))) {
                    annotatedIds.add(g.prompt().id());
                }
            }
            // Every prompt of this shard is annotated, quarantined (set aside now or earlier, not rated since) or
            // remaining (budget, stop or failure came first): prompts = annotated + quarantined + remaining.
            long quarantinedCount = mine.stream().map(g -> g.prompt().id())
                    .filter(id -> !annotatedIds.contains(id))
                    .filter(id -> setAsideEarlier.contains(id) || run.setAsideIds.contains(id))
                    .count();
            result.counts.put("prompts", (long) mine.size());
            result.counts.put("promptsWithoutCompletions", withoutCompletions);
            result.counts.put("skippedAlreadyDone", (long) (mine.size() - todo.size()));
            result.counts.put("annotatedThisRun", annotatedNow);
            result.counts.put(StageCounts.ANNOTATED, (long) annotatedIds.size());
            result.counts.put("quarantined", quarantinedCount);
            result.counts.put("quarantinedJudgeFailures", run.judgeFailures.get());
            result.counts.put("remaining", mine.size() - annotatedIds.size() - quarantinedCount);
            result.counts.putAll(importCounts);
            if (judgeHumanRated) {
                result.counts.put("humanRatedResponsePrompts", (long) humanMine.size());
                result.counts.put("humanRatedResponsesJudgedThisRun", humanRun == null ? 0 : humanRun.rated.get());
                result.artifacts.put("judgedHumanRated", ctx.relative(humanRatedFile));
            }
            Usage total = earlier.plus(run.usage()).plus(humanRun == null ? Usage.NONE : humanRun.usage());
            result.counts.put(StageCounts.REQUESTS, total.requests());
            result.counts.put(StageCounts.INPUT_TOKENS, total.inputTokens());
            result.counts.put(StageCounts.OUTPUT_TOKENS, total.outputTokens());
            result.metrics.put("costUSD", total.usd());
            result.artifacts.put("annotations", ctx.relative(annotationsFile));
            result.artifacts.put("quarantine", ctx.relative(quarantineFile));
            return finish(result, humanRun != null && humanRun.halted() ? humanRun : run, budget);
        }
    }

    /**
     * This shard's prompts (by the same ordinal as their sampled completions) with the responses people rated that
     * are no sampled completion, one group per prompt, the responses in file order; none while the file is not
     * there yet.
     */
    private static List<PromptGroup> humanRatedGroups(StageContext ctx, AnnotationSpec spec,
                                                      List<HelpSteerAttribute> attributes,
                                                      Map<String, JsonlReader.Line<PromptRecord>> prompts,
                                                      Map<String, List<CompletionRecord>> completions) {
        if (spec.humanRatings.path == null || spec.humanRatings.path.isBlank()) {
            throw new InvalidInputException(ctx.specFile(), "annotation.humanRatings.path is required");
        }
        Path file = ctx.resolve(spec.humanRatings.path, "annotation.humanRatings.path");
        if (!Files.exists(file)) {
            // People may rate sampled completions after the judge did (the build stage needs the file, not this one).
            return List.of();
        }
        ImportedRatings.Result human = ImportedRatings.read(file, attributes, prompts, completions, true);
        Map<String, List<CompletionRecord>> byPrompt = new LinkedHashMap<>();
        human.unsampled().forEach(c -> byPrompt.computeIfAbsent(c.promptId(), k -> new ArrayList<>()).add(c));
        List<PromptGroup> out = new ArrayList<>();
        long ordinal = 0;
        for (JsonlReader.Line<PromptRecord> line : prompts.values()) {
            boolean owned = ctx.shard().owns(ordinal++);
            List<CompletionRecord> group = byPrompt.get(line.value().id());
            if (owned && group != null) out.add(new PromptGroup(line.value(), line.number(), group));
        }
        return out;
    }

    private StageResult finish(StageResult result, Run run, CostBudget budget) {
        Throwable failure = run.failure.get();
        if (failure instanceof InvalidInputException invalid) {
            throw invalid;
        }
        if (failure != null) {
            result.outcome = StageResult.Outcome.failed;
            result.message = failure.getMessage();
            return result;
        }
        if (run.budgetStopped.get()) {
            result.outcome = StageResult.Outcome.budgetExhausted;
            result.message = String.format("cost budget of %.4f USD for this shard is spent (%.4f USD); everything "
                    + "annotated so far is kept", budget.limitUsd(), budget.spentUsd());
            return result;
        }
        if (run.interrupted.get()) {
            result.outcome = StageResult.Outcome.interrupted;
            result.message = "stopped on request; rerun resumes";
            return result;
        }
        result.outcome = StageResult.Outcome.succeeded;
        return result;
    }

    /** The files one execution appends to. */
    private record Sinks(JsonlAppender annotations, JsonlAppender quarantine, JsonlAppender spend) {}

    /** What one execution did. */
    private static final class Run {
        final AtomicLong rated = new AtomicLong();
        final Set<String> ratedIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final Set<String> setAsideIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final AtomicLong judgeFailures = new AtomicLong();
        final AtomicReference<Usage> usage = new AtomicReference<>(Usage.NONE);
        final AtomicBoolean budgetStopped = new AtomicBoolean();
        final AtomicBoolean interrupted = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Usage usage() {
            return usage.get();
        }

        boolean halted() {
            return budgetStopped.get() || interrupted.get() || failure.get() != null;
        }
    }

    private Run execute(StageContext ctx, List<PromptGroup> todo, Annotator annotator, Sinks sinks, int threads,
                        ProgressTracker tracker, long allowedFailures, double maxFailureRatio)
            throws InterruptedException {
        Run run = new Run();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (PromptGroup group : todo) {
                futures.add(pool.submit(() -> annotateOne(ctx, group, annotator, sinks, tracker, run,
                        allowedFailures, maxFailureRatio, todo.size())));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    run.failure.compareAndSet(null, e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return run;
    }

    private static void annotateOne(StageContext ctx, PromptGroup group, Annotator annotator, Sinks sinks,
                                    ProgressTracker tracker, Run run, long allowedFailures, double maxFailureRatio,
                                    int todo) {
        if (run.halted()) return;
        if (ctx.stop().requested()) {
            run.interrupted.set(true);
            return;
        }
        GroupOutcome outcome;
        try {
            outcome = annotator.annotate(group);
        } catch (RuntimeException e) {
            run.failure.compareAndSet(null, e);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.interrupted.set(true);
            return;
        }
        if (outcome instanceof GroupOutcome.Rated rated) {
            sinks.annotations().appendAll(rated.records());
            run.rated.incrementAndGet();
            run.ratedIds.add(group.prompt().id());
            run.usage.accumulateAndGet(rated.records().get(0).usage(), Usage::plus);
            tracker.advance(1, null);
        } else if (outcome instanceof GroupOutcome.SetAside aside) {
            sinks.quarantine().append(aside.record());
            run.setAsideIds.add(group.prompt().id());
            run.usage.accumulateAndGet(aside.record().usage(), Usage::plus);
            tracker.advance(1, "quarantined " + group.prompt().id() + ": " + aside.record().reason());
            if (aside.record().judgeUnavailable() && run.judgeFailures.incrementAndGet() > allowedFailures) {
                run.failure.compareAndSet(null, new IllegalStateException(String.format(
                        "the judge kept failing: %d of %d prompts set aside after every retry, more than "
                                + "annotation.maxFailureRatio %.3f allows; the rerun asks them again. Last error: %s",
                        run.judgeFailures.get(), todo, maxFailureRatio, aside.record().reason())));
            }
        } else if (outcome instanceof GroupOutcome.BudgetStopped stopped) {
            // Attempts already paid for (malformed answers before the budget ran out) are kept in the ledger.
            if (stopped.usage().requests() > 0) {
                sinks.spend().append(new SpendRecord(group.prompt().id(), "budget spent between retries",
                        stopped.usage()));
                run.usage.accumulateAndGet(stopped.usage(), Usage::plus);
            }
            run.budgetStopped.set(true);
        }
    }

    private Annotator annotator(StageContext ctx, AnnotationSpec spec, List<HelpSteerAttribute> attributes,
                                Path promptsFile, Map<String, JsonlReader.Line<PromptRecord>> prompts,
                                Map<String, List<CompletionRecord>> completions, CostBudget budget,
                                Map<String, Long> importCounts) {
        boolean goldAnswers = spec.goldAnswers != null && Boolean.TRUE.equals(spec.goldAnswers.enabled);
        if (goldAnswers && !isJudge(spec.provider)) {
            throw new InvalidInputException(ctx.specFile(), "annotation.goldAnswers needs a judge model: provider "
                    + "vertex-gemini or openai-compatible, not " + spec.provider.wireName());
        }
        return switch (spec.provider) {
            case ORACLE -> new OracleAnnotator(attributes, promptsFile);
            case IMPORT -> {
                if (spec.importPath == null) {
                    throw new InvalidInputException(ctx.specFile(), "annotation.importPath is required for provider import");
                }
                ImportedRatings.Result imported = ImportedRatings.read(ctx.resolve(spec.importPath,
                        "annotation.importPath"), attributes, prompts, completions);
                importCounts.put(StageCounts.IMPORT_ROWS, imported.rows());
                importCounts.put(StageCounts.IMPORT_ROWS_APPLIED, imported.appliedRows());
                importCounts.put(StageCounts.IMPORT_ROWS_DUPLICATE, imported.duplicateRows());
                yield new ImportAnnotator(imported.ratings());
            }
            case VERTEX_GEMINI, OPENAI_COMPATIBLE -> {
                ResilientJudge judge = ResilientJudges.create(spec, ctx, env, tuning, budget);
                Path imageRoot = ctx.optionalInput(StageInputs.IMAGE_ROOT);
                Path images = imageRoot == null ? ctx.storageRoot() : imageRoot;
                Annotator rater = new JudgeAnnotator(judge, attributes, spec.chainOfThought == null
                        || spec.chainOfThought, LabellingGuide.read(spec, attributes, env, ctx.specFile()),
                        ctx.claim(), images, promptsFile);
                yield goldAnswers ? new GoldAnswerAnnotator(rater, judge, ctx.claim(), images, promptsFile) : rater;
            }
        };
    }

    private static boolean isJudge(JudgeProvider provider) {
        return provider == JudgeProvider.VERTEX_GEMINI || provider == JudgeProvider.OPENAI_COMPATIBLE;
    }

    /**
     * Cost of earlier runs: each prompt's usage once (its K records share it), plus every quarantine line's and every
     * spend line's (each line is separate attempts, all paid).
     */
    static Usage usageOf(Iterable<AnnotationRecord> ratings, Iterable<QuarantineRecord> quarantined,
                         Iterable<SpendRecord> spent) {
        Usage total = Usage.NONE;
        Set<String> seen = new HashSet<>();
        for (AnnotationRecord a : ratings) {
            if (a.usage() != null && seen.add(a.promptId())) total = total.plus(a.usage());
        }
        for (QuarantineRecord q : quarantined) {
            if (q.usage() != null) total = total.plus(q.usage());
        }
        for (SpendRecord r : spent) {
            if (r.usage() != null) total = total.plus(r.usage());
        }
        return total;
    }
}
