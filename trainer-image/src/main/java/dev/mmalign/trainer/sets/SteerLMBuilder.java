package dev.mmalign.trainer.sets;

import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.api.dataset.SteerLMTemplate;
import dev.mmalign.trainer.data.SftExampleRecord;

import java.util.ArrayList;
import java.util.List;

/** SteerLM: every completion is an SFT target, its prompt conditioned on the completion's own ratings. */
public final class SteerLMBuilder {

    private final SteerLMTemplate template;
    private final List<HelpSteerAttribute> attributes;

    public SteerLMBuilder(SteerLMTemplate template, List<HelpSteerAttribute> attributes) {
        this.template = template == null ? SteerLMTemplate.NATURAL_LANGUAGE : template;
        this.attributes = attributes;
    }

    public List<SftExampleRecord> build(List<AnnotatedPrompt> prompts) {
        List<SftExampleRecord> out = new ArrayList<>();
        for (AnnotatedPrompt p : prompts) {
            for (ScoredCompletion c : p.completions()) {
                String prompt = SteerLMCondition.apply(template, p.prompt().question(), attributes, c.ratings());
                out.add(new SftExampleRecord(c.completion().completionId(), p.images(), prompt, c.completion().text()));
            }
        }
        return out;
    }
}
