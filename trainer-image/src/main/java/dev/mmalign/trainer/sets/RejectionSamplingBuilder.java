package dev.mmalign.trainer.sets;

import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.trainer.data.SftExampleRecord;

import java.util.ArrayList;
import java.util.List;

/** Rejection sampling: the best completion of each prompt becomes an SFT target. */
public final class RejectionSamplingBuilder {

    private final List<HelpSteerAttribute> attributes;

    public RejectionSamplingBuilder(List<HelpSteerAttribute> attributes) {
        this.attributes = attributes;
    }

    public List<SftExampleRecord> build(List<AnnotatedPrompt> prompts) {
        List<SftExampleRecord> out = new ArrayList<>();
        for (AnnotatedPrompt p : prompts) {
            if (p.completions().isEmpty()) continue;
            ScoredCompletion best = BestCompletion.of(p.completions(), attributes);
            out.add(new SftExampleRecord(p.prompt().id(), p.images(), p.prompt().question(), best.completion().text()));
        }
        return out;
    }
}
