package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.stage.ChatMessage;
import dev.mmalign.trainer.stage.GenerationSettings;
import dev.mmalign.trainer.stage.PolicyModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
    private static final double GREEDY = 0.0;

    /** One greedy question of a {@link #generateAll} call. */
    record Question(Path image, List<ChatMessage> conversation) {}

    /**
     * Greedy answers to many questions under the same rule as {@link #generate}, in question order: prompts that fill
     * the context get "ERROR" without the model; the others are decoded together ({@link PolicyModel#generateAll}),
     * one call per distinct budget, since a batch shares its new-token budget. A batched answer can differ from the
     * one-at-a-time answer in float rounding (padded rows, other matmul shapes), not in the rule.
     */
    static List<BoundedAnswer> generateAll(PolicyModel model, List<Question> questions, int maxNewTokens) {
        BoundedAnswer[] out = new BoundedAnswer[questions.size()];
        // Budget -> indices of the questions with that budget, in question order.
        Map<Integer, List<Integer>> byBudget = new TreeMap<>();
        for (int i = 0; i < questions.size(); i++) {
            Question q = questions.get(i);
            long room = (long) model.contextLength() - model.promptPositions(q.image(), q.conversation());
            if (room < 1) {
                out[i] = new BoundedAnswer(ERROR_ANSWER, false, true);
            } else {
                byBudget.computeIfAbsent((int) Math.min(maxNewTokens, room), k -> new ArrayList<>()).add(i);
            }
        }
        for (Map.Entry<Integer, List<Integer>> group : byBudget.entrySet()) {
            int budget = group.getKey();
            List<PolicyModel.Request> requests = new ArrayList<>();
            for (int i : group.getValue()) {
                Question q = questions.get(i);
                // Seed 0 as in generate; greedy decoding draws nothing from it.
                requests.add(new PolicyModel.Request(q.image(), q.conversation(),
                        new GenerationSettings(1, GREEDY, 1.0, budget, 0L)));
            }
            List<List<String>> texts = model.generateAll(requests);
            for (int j = 0; j < requests.size(); j++) {
                out[group.getValue().get(j)] = new BoundedAnswer(texts.get(j).get(0), budget < maxNewTokens, false);
            }
        }
        return List.of(out);
    }

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
