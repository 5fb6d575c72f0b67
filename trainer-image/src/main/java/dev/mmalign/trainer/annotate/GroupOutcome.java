package dev.mmalign.trainer.annotate;

import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.QuarantineRecord;
import dev.mmalign.trainer.data.Usage;

import java.util.List;

/** How annotating one prompt ended. */
public sealed interface GroupOutcome {

    /** Every completion rated. */
    record Rated(List<AnnotationRecord> records) implements GroupOutcome {}

    /** Set aside with the reason. */
    record SetAside(QuarantineRecord record) implements GroupOutcome {}

    /** Not done: the budget ran out first; {@code usage} is what its attempts so far cost (already paid). */
    record BudgetStopped(Usage usage) implements GroupOutcome {}
}
