package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.trainer.annotate.JudgeUnavailableException;
import dev.mmalign.trainer.stage.GenerationSettings;
import dev.mmalign.trainer.stage.PolicyModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
            case MMBENCH -> circular(item);
            case EXACT_MATCH -> {
                String answer = answer(item, item.turns().get(0));
                yield SampleOutput.of(item.id(), List.of(answer)).prediction(answer)
                        .correct(ExactMatch.exact(answer, item.answer()))
                        .lenientCorrect(ExactMatch.contains(answer, item.answer())).build();
            }
            case MT_BENCH -> mtBench.evaluate(item);
            case LLAVA_BENCH -> {
                String answer = answer(item, item.turns().get(0));
                BenchmarkJudge.Verdict<double[]> v = judge.ask(
                        JudgePrompts.llavaBench(item.turns().get(0), item.answer(), answer), item.image(),
                        JudgePrompts::parseLlavaBench);
                yield SampleOutput.of(item.id(), List.of(answer))
                        .score(v.value() == null ? null : v.value()[1])
                        .referenceScore(v.value() == null ? null : v.value()[0])
                        .judged(v.text(), v.problem()).build();
            }
            case MM_VET -> {
                String answer = answer(item, item.turns().get(0));
                BenchmarkJudge.Verdict<Double> v = judge.ask(
                        JudgePrompts.mmVet(item.turns().get(0), item.answer(), answer), null, JudgePrompts::parseMmVet);
                yield SampleOutput.of(item.id(), List.of(answer)).score(v.value()).judged(v.text(), v.problem())
                        .build();
            }
            case ALPACA_EVAL -> alpacaEval.evaluate(item);
        };
    }

    private String answer(BenchmarkItem item, String prompt) {
        Path image = item.image() == null && photos != null ? photos.draw(item.id(), 0) : item.image();
        return model.generate(image, prompt, greedy).get(0);
    }

    private SampleOutput circular(BenchmarkItem item) {
        int n = item.options().size();
        List<String> answers = new ArrayList<>();
        boolean all = true;
        boolean first = false;
        for (int r = 0; r < n; r++) {
            List<String> options = CircularChoice.rotate(item.options(), r);
            String answer = answer(item, CircularChoice.prompt(item.hint(), item.turns().get(0), options));
            answers.add(answer);
            Character letter = CircularChoice.extract(answer, options);
            boolean right = letter != null && letter == CircularChoice.correctLetter(item.answer().charAt(0), r, n);
            all &= right;
            if (r == 0) first = right;
        }
        return SampleOutput.of(item.id(), answers).correct(all).firstPassCorrect(first).build();
    }
}
