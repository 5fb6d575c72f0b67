package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.stage.ChatMessage;
import dev.mmalign.trainer.stage.GenerationSettings;
import dev.mmalign.trainer.stage.PolicyModel;

import java.nio.file.Path;
import java.util.List;

/**
 * One answer that never runs past the model's context. The rule: the new-token budget is {@code maxNewTokens} cut to
 * the positions left after the prompt (conversation so far, image patches and BOS included) — a cut answer is
 * {@code truncated}; when the prompt alone fills the context the model is not called and the answer is FastChat's
 * {@code "ERROR"} (what fastchat/llm_judge/gen_model_answer.py records when generation fails) — {@code overlong}.
 * The answer is then judged as any other, and the counts go into the results. Every benchmark's answers go through
 * this rule (MT-Bench and AlpacaEval per turn; POPE, MMBench, MM-Vet, LLaVA-Bench and exact match once per question).
 */
record BoundedAnswer(String text, boolean truncated, boolean overlong) {

    static final String ERROR_ANSWER = "ERROR";

    static BoundedAnswer generate(PolicyModel model, Path image, List<ChatMessage> conversation, double temperature,
                                  int maxNewTokens) {
        long room = (long) model.contextLength() - model.promptPositions(image, conversation);
        if (room < 1) return new BoundedAnswer(ERROR_ANSWER, false, true);
        int budget = (int) Math.min(maxNewTokens, room);
        // Seed 0 for every question, as FastChat seeds each question's first choice with torch.manual_seed(0).
        String text = model.generate(image, conversation, new GenerationSettings(1, temperature, 1.0, budget, 0L))
                .get(0);
        return new BoundedAnswer(text, budget < maxNewTokens, false);
    }
}
