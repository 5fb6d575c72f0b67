package dev.mmalign.trainer.annotate;

import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.Usage;
import dev.mmalign.trainer.synthetic.OracleRater;
import dev.mmalign.trainer.synthetic.PromptTruth;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code oracle} provider: rates synthetic prompts from their known truth, deterministically and for free. */
public final class OracleAnnotator implements Annotator {

    public static final String NAME = "oracle";

    private final OracleRater rater = new OracleRater();
    private final List<HelpSteerAttribute> attributes;
    private final Path promptsFile;

    public OracleAnnotator(List<HelpSteerAttribute> attributes, Path promptsFile) {
        this.attributes = attributes;
        this.promptsFile = promptsFile;
    }

    @Override
    public GroupOutcome annotate(PromptGroup group) {
        PromptTruth truth = PromptTruth.fromJson(group.prompt().truth());
        if (truth == null) {
            throw new InvalidInputException(promptsFile, group.promptLine(), "prompt " + group.prompt().id()
                    + " has no synthetic \"truth\": the oracle provider only rates synthetic prompts");
        }
        List<AnnotationRecord> records = new ArrayList<>();
        for (CompletionRecord c : group.completions()) {
            Map<HelpSteerAttribute, Integer> all = rater.rate(truth, group.prompt().goldAnswer(), c.text());
            Map<String, Integer> ratings = new LinkedHashMap<>();
            for (HelpSteerAttribute a : attributes) {
                ratings.put(a.wireName(), all.get(a));
            }
            records.add(new AnnotationRecord(c.promptId(), c.completionId(), ratings, null, NAME, Usage.NONE));
        }
        return new GroupOutcome.Rated(records);
    }
}
