package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.trainer.annotate.JudgeUnavailableException;
import dev.mmalign.trainer.data.StableHash;
import dev.mmalign.trainer.stage.ChatMessage;
import dev.mmalign.trainer.stage.GenerationSettings;
import dev.mmalign.trainer.stage.PolicyModel;

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
            case MMBENCH -> mmbench(item);
            case EXACT_MATCH -> {
                String answer = answer(item, item.turns().get(0));
                yield SampleOutput.of(item.id(), List.of(answer)).prediction(answer)
                        .correct(ExactMatch.exact(answer, item.answer()))
                        .lenientCorrect(ExactMatch.contains(answer, item.answer())).build();
            }
            case MT_BENCH -> mtBench(item);
            case LLAVA_BENCH -> llavaBench(item);
            case MM_VET -> mmVet(item);
            case ALPACA_EVAL -> alpaca(item);
        };
    }

    private String answer(BenchmarkItem item, String prompt) {
        return model.generate(item.image(), prompt, greedy).get(0);
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
        String review = judge.reply(LlavaBenchReview.SYSTEM, LlavaBenchReview.prompt(item, answer));
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
