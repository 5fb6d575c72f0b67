package dev.mmalign.trainer.sets;

import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.SftExampleRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The paper's "Standard SFT" baseline: each prompt's gold answer as the target; prompts without one are skipped. The
 * answers are the judge's own ({@code annotation.goldAnswers}) when the annotations hold any, else the prompts'
 * {@code goldAnswer} fields; the two are never mixed, so the set is all from one source.
 */
public final class GoldSftBuilder {

    private GoldSftBuilder() {}

    public static List<SftExampleRecord> build(List<PromptRecord> prompts) {
        return build(prompts, Map.of());
    }

    /** @param judgeAnswers the judge's answers by prompt id; empty: use the prompts' goldAnswer fields */
    public static List<SftExampleRecord> build(List<PromptRecord> prompts, Map<String, String> judgeAnswers) {
        List<SftExampleRecord> out = new ArrayList<>();
        for (PromptRecord p : prompts) {
            String answer = judgeAnswers.isEmpty() ? p.goldAnswer() : judgeAnswers.get(p.id());
            if (answer == null || answer.isBlank()) continue;
            out.add(new SftExampleRecord(p.id(), p.hasImage() ? List.of(p.image()) : List.of(), p.question(),
                    answer));
        }
        return out;
    }
}
