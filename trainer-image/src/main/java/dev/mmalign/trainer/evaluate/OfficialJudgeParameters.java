package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.judge.JudgeParameters;

/**
 * The judge's sampling parameters per benchmark, as each official script sends them. The model is the user's choice
 * (the official scripts name GPT-4 versions); these are the request parameters that go with it.
 */
final class OfficialJudgeParameters {

    /** FastChat {@code llm_judge/common.py} {@code run_judge_single}: {@code temperature=0, max_tokens=2048}. */
    static final JudgeParameters MT_BENCH = new JudgeParameters(0.0, 2048);

    /**
     * LLaVA {@code llava/eval/eval_gpt_review_bench.py} {@code get_eval}: {@code temperature=0.2} and
     * {@code max_tokens} from {@code --max-tokens}, default 1024.
     */
    static final JudgeParameters LLAVA_BENCH = new JudgeParameters(0.2, 1024);

    /**
     * AlpacaEval {@code evaluators_configs/alpaca_eval_gpt4/configs.yaml} {@code completions_kwargs}:
     * {@code max_tokens: 100, temperature: 0}.
     */
    static final JudgeParameters ALPACA_EVAL = new JudgeParameters(0.0, 100);

    /** MM-Vet {@code mm-vet_evaluator.py}: every request has {@code max_tokens=3}. */
    static final int MM_VET_MAX_TOKENS = 3;

    private OfficialJudgeParameters() {}

    /**
     * MM-Vet's request {@code attempt} (0 = the first). The official loop starts at temperature 0.0, sends the first
     * re-ask at that temperature too, and raises it by 0.5 after each re-ask: replies read at 0.0, 0.0, 0.5, 1.0, 1.5.
     */
    static JudgeParameters mmVet(int attempt) {
        return new JudgeParameters(attempt == 0 ? 0.0 : 0.5 * (attempt - 1), MM_VET_MAX_TOKENS);
    }
}
