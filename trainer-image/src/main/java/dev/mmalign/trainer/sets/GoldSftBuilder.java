package dev.mmalign.trainer.sets;

import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.SftExampleRecord;

import java.util.ArrayList;
import java.util.List;

/** The paper's "Standard SFT" baseline: each prompt's gold answer as the target; prompts without one are skipped. */
public final class GoldSftBuilder {

    private GoldSftBuilder() {}

    public static List<SftExampleRecord> build(List<PromptRecord> prompts) {
        List<SftExampleRecord> out = new ArrayList<>();
        for (PromptRecord p : prompts) {
            if (p.goldAnswer() == null || p.goldAnswer().isBlank()) continue;
            out.add(new SftExampleRecord(p.id(), p.hasImage() ? List.of(p.image()) : List.of(), p.question(),
                    p.goldAnswer()));
        }
        return out;
    }
}
