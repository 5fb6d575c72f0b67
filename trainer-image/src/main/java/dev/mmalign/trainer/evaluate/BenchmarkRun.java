package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.trainer.judge.JudgeUnavailableException;
import dev.mmalign.trainer.stage.ChatMessage;
import dev.mmalign.trainer.stage.PolicyModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Answers one benchmark question with the model (greedy) and scores it the benchmark's way. */
final class BenchmarkRun {

    private final BenchmarkName name;
    private final PolicyModel model;
    private static final double GREEDY = 0.0;
    private final int maxNewTokens;
    private final BenchmarkJudge judge;
    private final NoisyPhotos photos;
    private final MtBenchRun mtBench;
    private final AlpacaEvalRun alpacaEval;

    /**
     * @param dataFile the benchmark's file, beside which MT-Bench's judge prompts and AlpacaEval's annotator template
     *                 are read
     * @param photos   the photos drawn per turn for {@code noisyImage: photos}, else null
     */
    BenchmarkRun(BenchmarkName name, PolicyModel model, int maxNewTokens, BenchmarkJudge judge, Path dataFile,
                 NoisyPhotos photos) {
        this.name = name;
        this.model = model;
        this.maxNewTokens = maxNewTokens;
        this.judge = judge;
        this.photos = photos;
        this.mtBench = name == BenchmarkName.MT_BENCH
                ? new MtBenchRun(model, maxNewTokens, judge, MtBench.judgePrompts(dataFile), photos) : null;
        this.alpacaEval = name == BenchmarkName.ALPACA_EVAL
                ? new AlpacaEvalRun(model, maxNewTokens, judge, AlpacaEval.template(dataFile), photos) : null;
    }

    /** Whether a judge, paid per request, scores this benchmark's answers (so each is written as soon as it is scored). */
    boolean judged() {
        return name.judgeScored();
    }

    /**
     * Whether this benchmark's questions are answered in batches ({@link #evaluateAll}): the single-turn benchmarks
     * that no judge scores. The judged ones answer one question at a time (each is written as soon as it is scored).
     */
    boolean batched() {
        return name == BenchmarkName.POPE || name == BenchmarkName.MMBENCH || name == BenchmarkName.EXACT_MATCH;
    }

    /**
     * The questions of a {@link #batched} benchmark answered together and scored, in item order: the same records as
     * {@link #evaluate} gives one by one, except where batched decoding rounds floats differently.
     */
    List<SampleOutput> evaluateAll(List<BenchmarkItem> items) {
        if (!batched()) throw new IllegalStateException(name.wireName() + " answers one question at a time");
        List<BoundedAnswer.Question> questions = new ArrayList<>();
        for (BenchmarkItem item : items) questions.add(question(item));
        List<BoundedAnswer> answers = BoundedAnswer.generateAll(model, questions, maxNewTokens);
        List<SampleOutput> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) out.add(scored(items.get(i), answers.get(i)));
        return out;
    }

    SampleOutput evaluate(BenchmarkItem item)
            throws JudgeUnavailableException, InterruptedException, BenchmarkJudge.BudgetSpent {
        return switch (name) {
            case POPE, MMBENCH, EXACT_MATCH -> {
                BoundedAnswer.Question q = question(item);
                yield scored(item, BoundedAnswer.generate(model, q.image(), q.conversation(), GREEDY, maxNewTokens));
            }
            case MT_BENCH -> mtBench.evaluate(item);
            case LLAVA_BENCH -> llavaBench(item);
            case MM_VET -> mmVet(item);
            case ALPACA_EVAL -> alpacaEval.evaluate(item);
        };
    }

    /** A batched benchmark's answer scored its way. */
    private SampleOutput scored(BenchmarkItem item, BoundedAnswer a) {
        return switch (name) {
            case POPE -> {
                String predicted = PopeScore.parse(a.text());
                yield counted(SampleOutput.of(item.id(), List.of(a.text())).prediction(predicted)
                        .correct(predicted.equals(item.answer())), a).build();
            }
            case MMBENCH -> mmbench(item, a);
            case EXACT_MATCH -> {
                String answer = a.text();
                yield counted(SampleOutput.of(item.id(), List.of(answer)).prediction(answer)
                        .correct(ExactMatch.exact(answer, item.answer()))
                        .lenientCorrect(ExactMatch.contains(answer, item.answer())), a).build();
            }
            default -> throw new IllegalStateException(name.wireName() + " is not scored from one answer alone");
        };
    }

    /**
     * The single user turn a batched benchmark asks (MMBench's row with its hint and options), with the item's image
     * or, for {@code noisyImage: photos}, the photo drawn for its first turn.
     */
    private BoundedAnswer.Question question(BenchmarkItem item) {
        String prompt = name == BenchmarkName.MMBENCH
                ? CircularChoice.prompt(item.hint(), item.turns().get(0), item.options()) : item.turns().get(0);
        return new BoundedAnswer.Question(image(item), List.of(ChatMessage.user(prompt)));
    }

    private Path image(BenchmarkItem item) {
        return item.image() == null && photos != null ? photos.draw(item.id(), 0) : item.image();
    }

    /**
     * A greedy answer bounded by the model's context with MT-Bench's rule ({@link BoundedAnswer}): the new-token
     * budget is cut to the room left after the prompt (counted as truncated), and a prompt that alone fills the
     * context gets FastChat's "ERROR" answer without calling the model (counted as overlong), which the benchmark
     * then scores as it would any answer. Never a crash.
     */
    private BoundedAnswer answer(BenchmarkItem item, String prompt) {
        return BoundedAnswer.generate(model, image(item), List.of(ChatMessage.user(prompt)), GREEDY, maxNewTokens);
    }

    private static SampleOutput.Builder counted(SampleOutput.Builder out, BoundedAnswer a) {
        return out.context(a.truncated() ? 1 : 0, a.overlong() ? 1 : 0);
    }

    /** One row of the MMBench TSV (a question or one of its circular copies): asked once, its option inferred. */
    private SampleOutput mmbench(BenchmarkItem item, BoundedAnswer a) {
        Map<Character, String> choices = new LinkedHashMap<>();
        for (int i = 0; i < item.options().size(); i++) choices.put((char) ('A' + i), item.options().get(i));
        Character letter = MmbenchAnswer.infer(a.text(), choices);
        return counted(SampleOutput.of(item.id(), List.of(a.text())).prediction(letter == null ? null
                : letter.toString()).correct(letter != null && letter == item.answer().charAt(0)), a).build();
    }

    /** Judged from the captions in context.jsonl, not the image; one reply, parsed as LLaVA's parse_score does. */
    private SampleOutput llavaBench(BenchmarkItem item)
            throws JudgeUnavailableException, InterruptedException, BenchmarkJudge.BudgetSpent {
        BoundedAnswer a = answer(item, item.turns().get(0));
        String answer = a.text();
        String review = judge.with(OfficialJudgeParameters.LLAVA_BENCH)
                .reply(LlavaBenchReview.SYSTEM, LlavaBenchReview.prompt(item, answer));
        double[] scores = LlavaBenchReview.parse(review);
        return counted(SampleOutput.of(item.id(), List.of(answer)).referenceScore(scores[0]).score(scores[1])
                .judged(review, LlavaBenchReview.unparsable(scores)
                        ? "first line is not two scores; counted as -1 -1 like LLaVA's parse_score" : null), a)
                .build();
    }

    private SampleOutput mmVet(BenchmarkItem item)
            throws JudgeUnavailableException, InterruptedException, BenchmarkJudge.BudgetSpent {
        BoundedAnswer a = answer(item, item.turns().get(0));
        MmVetGrader.Grade grade = MmVetGrader.grade(item.tag(MmVetGrader.PROMPT_TAG), item.turns().get(0),
                item.answer(), a.text(), judge::reply);
        return counted(SampleOutput.of(item.id(), List.of(a.text())).score(grade.score())
                .judged(String.join("\n", grade.replies()), grade.problem()), a).build();
    }
}
