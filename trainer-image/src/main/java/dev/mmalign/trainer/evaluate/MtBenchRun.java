package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.judge.JudgeUnavailableException;
import dev.mmalign.trainer.stage.ChatMessage;
import dev.mmalign.trainer.stage.PolicyModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers an MT-Bench question turn by turn in one conversation, at its category's temperature, and has each judged
 * turn rated the way {@link MtBench} describes.
 *
 * <p>Over-long turns follow {@link BoundedAnswer}'s rule and are counted in {@code truncatedTurns} and
 * {@code overlongTurns}; neither stops the stage. With {@code noisyImage: photos} turn t is answered with photo t of
 * {@link NoisyPhotos} in context.
 */
final class MtBenchRun {

    private final PolicyModel model;
    private final int maxNewTokens;
    private final BenchmarkJudge judge;
    private final MtBench.JudgePrompts prompts;
    private final NoisyPhotos photos;

    MtBenchRun(PolicyModel model, int maxNewTokens, BenchmarkJudge judge, MtBench.JudgePrompts prompts,
               NoisyPhotos photos) {
        this.model = model;
        this.maxNewTokens = maxNewTokens;
        this.judge = judge == null ? null : judge.with(OfficialJudgeParameters.MT_BENCH);
        this.prompts = prompts;
        this.photos = photos;
    }

    SampleOutput evaluate(BenchmarkItem item)
            throws JudgeUnavailableException, InterruptedException, BenchmarkJudge.BudgetSpent {
        double temperature = MtBench.temperature(item.category());
        List<ChatMessage> conversation = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        int truncated = 0;
        int overlong = 0;
        for (int t = 0; t < item.turns().size(); t++) {
            Path image = photos != null ? photos.draw(item.id(), t) : item.image();
            conversation.add(ChatMessage.user(item.turns().get(t)));
            BoundedAnswer a = BoundedAnswer.generate(model, image, conversation, temperature, maxNewTokens);
            if (a.truncated()) truncated++;
            if (a.overlong()) overlong++;
            String answer = a.text();
            conversation.add(ChatMessage.assistant(answer));
            answers.add(answer);
        }
        List<Double> ratings = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        StringBuilder judgements = new StringBuilder();
        for (int t = 0; t < 2 && MtBench.judged(item, t); t++) {
            MtBench.JudgeMessages messages = MtBench.judgeMessages(prompts, item, answers, t);
            // The rating parser never fails: FastChat records -1 for an unreadable judgement instead of asking again.
            BenchmarkJudge.Verdict<Double> v = judge.ask(messages.system(), messages.user(), null, MtBench::rating);
            ratings.add(v.value() == null ? MtBench.UNRATED : v.value());
            if (v.problem() != null) problems.add("turn " + (t + 1) + ": " + v.problem());
            else if (v.value() == MtBench.UNRATED) problems.add("turn " + (t + 1) + ": no [[rating]] or [rating]");
            judgements.append(v.text() == null ? "" : v.text()).append('\n');
        }
        List<Double> rated = ratings.stream().filter(r -> r != MtBench.UNRATED).toList();
        Double mean = rated.isEmpty() ? null : rated.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        return SampleOutput.of(item.id(), answers).score(mean).turnScores(ratings)
                .judged(judgements.toString().trim(), problems.isEmpty() ? null : String.join("; ", problems))
                .context(truncated, overlong).build();
    }
}
