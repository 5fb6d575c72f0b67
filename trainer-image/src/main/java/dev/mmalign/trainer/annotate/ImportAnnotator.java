package dev.mmalign.trainer.annotate;

import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.QuarantineRecord;
import dev.mmalign.trainer.data.Usage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Serves imported ratings prompt by prompt. A prompt the file rates only partly is quarantined with the reason (a
 * DPO pair needs all its completions rated), never silently dropped.
 */
public final class ImportAnnotator implements Annotator {

    private final Map<String, AnnotationRecord> imported;

    public ImportAnnotator(Map<String, AnnotationRecord> imported) {
        this.imported = imported;
    }

    @Override
    public GroupOutcome annotate(PromptGroup group) {
        List<AnnotationRecord> records = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (CompletionRecord c : group.completions()) {
            AnnotationRecord a = imported.get(c.completionId());
            if (a == null) missing.add(c.completionId());
            else records.add(a);
        }
        if (!missing.isEmpty()) {
            return new GroupOutcome.SetAside(new QuarantineRecord(group.prompt().id(),
                    "import file has no ratings for " + missing, 1, null, ImportedRatings.NAME, Usage.NONE));
        }
        return new GroupOutcome.Rated(records);
    }
}
