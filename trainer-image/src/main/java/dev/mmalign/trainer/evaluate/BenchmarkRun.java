package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.trainer.annotate.JudgeUnavailableException;
import dev.mmalign.trainer.data.StableHash;
import dev.mmalign.trainer.stage.ChatMessage;
import dev.mmalign.trainer.stage.GenerationSettings;
import dev.mmalign.trainer.stage.PolicyModel;

import java.util.ArrayList;
import java.util.List;

/** Answers one benchmark question with the model (greedy) and scores it the benchmark's way. */
final class BenchmarkRun {

    private final BenchmarkName name;
    private final PolicyModel model;
    private final GenerationSettings greedy;
    private final BenchmarkJudge judge;

    BenchmarkRun(BenchmarkName name, PolicyModel model, int maxNewTokens, BenchmarkJudge judge) {
        this.name = name;
        this.model = model;
        this.greedy = GenerationSettings.greedy(maxNewTokens);
        this.judge = judge;
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
            case MT_BENCH -> mtBench(item);
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
            case ALPACA_EVAL -> alpaca(item);
        };
    }

    private String answer(BenchmarkItem item, String prompt) {
        return model.generate(item.image(), prompt, greedy).get(0);
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

    /** Both turns answered in one conversation; each turn judged with the conversation before it. */
    private SampleOutput mtBench(BenchmarkItem item)
            throws JudgeUnavailableException, InterruptedException, BenchmarkJudge.BudgetSpent {
        List<ChatMessage> conversation = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        for (String turn : item.turns()) {
            conversation.add(ChatMessage.user(turn));
            String answer = model.generate(item.image(), conversation, greedy).get(0);
            conversation.add(ChatMessage.assistant(answer));
            answers.add(answer);
        }
        List<Double> scores = new ArrayList<>();
        String problem = null;
        StringBuilder judgements = new StringBuilder();
        for (int t = 0; t < item.turns().size(); t++) {
            String reference = t < item.referenceTurns().size() ? item.referenceTurns().get(t) : null;
            BenchmarkJudge.Verdict<Double> v = judge.ask(JudgePrompts.mtBench(item.turns(), answers, t, reference),
                    null, JudgePrompts::parseMtBench);
            scores.add(v.value());
            if (v.problem() != null) problem = "turn " + (t + 1) + ": " + v.problem();
            judgements.append(v.text()).append('\n');
        }
        Double mean = scores.contains(null) ? null : scores.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        return SampleOutput.of(item.id(), answers).score(mean).turnScores(scores)
                .judged(judgements.toString().trim(), problem).build();
    }

    /** The model's and the reference output in an order fixed per question, so position bias averages out. */
    private SampleOutput alpaca(BenchmarkItem item)
            throws JudgeUnavailableException, InterruptedException, BenchmarkJudge.BudgetSpent {
        String answer = answer(item, item.turns().get(0));
        boolean modelFirst = (StableHash.of(0, item.id()) & 1) == 0;
        BenchmarkJudge.Verdict<Character> v = judge.ask(JudgePrompts.alpacaEval(item.turns().get(0),
                modelFirst ? answer : item.answer(), modelFirst ? item.answer() : answer), null,
                JudgePrompts::parseAlpacaEval);
        Double win = v.value() == null ? null : (v.value() == 'A') == modelFirst ? 1.0 : 0.0;
        return SampleOutput.of(item.id(), List.of(answer)).score(win).judged(v.text(), v.problem()).build();
    }
}
