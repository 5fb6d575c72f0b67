package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.trainer.annotate.JudgeUnavailableException;
import dev.mmalign.trainer.stage.GenerationSettings;
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
    private final GenerationSettings greedy;
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
        this.greedy = GenerationSettings.greedy(maxNewTokens);
        this.judge = judge;
        this.photos = photos;
        this.mtBench = name == BenchmarkName.MT_BENCH
                ? new MtBenchRun(model, maxNewTokens, judge, MtBench.judgePrompts(dataFile), photos) : null;
        this.alpacaEval = name == BenchmarkName.ALPACA_EVAL
                ? new AlpacaEvalRun(model, maxNewTokens, judge, AlpacaEval.template(dataFile), photos) : null;
    }

    SampleOutput evaluate(BenchmarkItem item)
            throws JudgeUnavailableException, InterruptedException, BenchmarkJudge.BudgetSpent {
        return switch (name) {
            case POPE -> {
                String answer = answer(item, item.turns().get(0));
                String predicted = PopeScore.parse(answer);
                yield SampleOutput.answered(item.id(), List.of(answer), predicted, predicted.equals(item.answer()));
            }
            case MMBENCH -> mmbench(item);
            case EXACT_MATCH -> {
                String answer = answer(item, item.turns().get(0));
                yield SampleOutput.of(item.id(), List.of(answer)).prediction(answer)
                        .correct(ExactMatch.exact(answer, item.answer()))
                        .lenientCorrect(ExactMatch.contains(answer, item.answer())).build();
            }
            case MT_BENCH -> mtBench.evaluate(item);
            case LLAVA_BENCH -> llavaBench(item);
            case MM_VET -> mmVet(item);
            case ALPACA_EVAL -> alpacaEval.evaluate(item);
        };
    }

    private String answer(BenchmarkItem item, String prompt) {
        Path image = item.image() == null && photos != null ? photos.draw(item.id(), 0) : item.image();
        return model.generate(image, prompt, greedy).get(0);
    }

    /** One row of the MMBench TSV (a question or one of its circular copies): asked once, its option inferred. */
    private SampleOutput mmbench(BenchmarkItem item) {
        String answer = answer(item, CircularChoice.prompt(item.hint(), item.turns().get(0), item.options()));
        Map<Character, String> choices = new LinkedHashMap<>();
        for (int i = 0; i < item.options().size(); i++) choices.put((char) ('A' + i), item.options().get(i));
        Character letter = MmbenchAnswer.infer(answer, choices);
        return SampleOutput.answered(item.id(), List.of(answer), letter == null ? null : letter.toString(),
                letter != null && letter == item.answer().charAt(0));
    }

    /** Judged from the captions in context.jsonl, not the image; one reply, parsed as LLaVA's parse_score does. */
    private SampleOutput llavaBench(BenchmarkItem item)
            throws JudgeUnavailableException, InterruptedException, BenchmarkJudge.BudgetSpent {
        String answer = answer(item, item.turns().get(0));
        String review = judge.with(OfficialJudgeParameters.LLAVA_BENCH)
                .reply(LlavaBenchReview.SYSTEM, LlavaBenchReview.prompt(item, answer));
        double[] scores = LlavaBenchReview.parse(review);
        return SampleOutput.of(item.id(), List.of(answer)).referenceScore(scores[0]).score(scores[1])
                .judged(review, LlavaBenchReview.unparsable(scores)
                        ? "first line is not two scores; counted as -1 -1 like LLaVA's parse_score" : null)
                .build();
    }

    private SampleOutput mmVet(BenchmarkItem item)
            throws JudgeUnavailableException, InterruptedException, BenchmarkJudge.BudgetSpent {
        String answer = answer(item, item.turns().get(0));
        MmVetGrader.Grade grade = MmVetGrader.grade(item.tag(MmVetGrader.PROMPT_TAG), item.turns().get(0),
                item.answer(), answer, judge::reply);
        return SampleOutput.of(item.id(), List.of(answer)).score(grade.score())
                .judged(String.join("\n", grade.replies()), grade.problem()).build();
    }
}
