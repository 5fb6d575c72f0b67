package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.judge.JudgeUnavailableException;
import dev.mmalign.trainer.stage.ChatMessage;
import dev.mmalign.trainer.stage.PolicyModel;

import java.nio.file.Path;
import java.util.List;

/**
 * Answers an AlpacaEval instruction (greedy, within the context as {@link BoundedAnswer} states) and has the
 * {@link AlpacaEval} annotator compare it with the reference output. The sample's score is the preference minus one:
 * 1 the model preferred, 0 the reference, 0.5 a tie, null an unparsable reply.
 */
final class AlpacaEvalRun {

    private final PolicyModel model;
    private final int maxNewTokens;
    private final BenchmarkJudge judge;
    private final AlpacaEval.Template template;
    private final NoisyPhotos photos;

    AlpacaEvalRun(PolicyModel model, int maxNewTokens, BenchmarkJudge judge, AlpacaEval.Template template,
                  NoisyPhotos photos) {
        this.model = model;
        this.maxNewTokens = maxNewTokens;
        this.judge = judge == null ? null : judge.with(OfficialJudgeParameters.ALPACA_EVAL);
        this.template = template;
        this.photos = photos;
    }

    SampleOutput evaluate(BenchmarkItem item)
            throws JudgeUnavailableException, InterruptedException, BenchmarkJudge.BudgetSpent {
        String instruction = item.turns().get(0);
        Path image = photos != null ? photos.draw(item.id(), 0) : item.image();
        BoundedAnswer a = BoundedAnswer.generate(model, image, List.of(ChatMessage.user(instruction)), 0.0,
                maxNewTokens);
        SampleOutput.Builder out = SampleOutput.of(item.id(), List.of(a.text()))
                .context(a.truncated() ? 1 : 0, a.overlong() ? 1 : 0);
        String reference = item.answer();
        if (reference.equals(a.text())) {
            return out.score(0.5).prediction("1.5").build();
        }
        boolean switched = AlpacaEval.switched(instruction);
        AlpacaEval.Messages messages = AlpacaEval.messages(template, instruction,
                switched ? a.text() : reference, switched ? reference : a.text());
        BenchmarkJudge.Verdict<Double> v = judge.ask(messages.system(), messages.user(), null,
                AlpacaEval::preference);
        Double preference = v.value() == null || v.value().isNaN() ? null
                : switched ? 3 - v.value() : v.value();
        String problem = v.problem() != null ? v.problem()
                : preference == null ? "reply is not a ranking of model_1 and model_2" : null;
        return out.score(preference == null ? null : preference - 1)
                .prediction(preference == null ? null : preference.toString())
                .judged(v.text(), problem).build();
    }
}
