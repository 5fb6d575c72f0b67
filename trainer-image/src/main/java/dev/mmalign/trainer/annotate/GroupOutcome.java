package dev.mmalign.trainer.annotate;

import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.QuarantineRecord;

import java.util.List;

/** How annotating one prompt ended. */
public sealed interface GroupOutcome {

    /** Every completion rated. */
    record Rated(List<AnnotationRecord> records) implements GroupOutcome {}

    /** Set aside with the reason. */
    record SetAside(QuarantineRecord record) implements GroupOutcome {}

    /** Not done: the budget ran out first. */
    record BudgetStopped() implements GroupOutcome {}
}
