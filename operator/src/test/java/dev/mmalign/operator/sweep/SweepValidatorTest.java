package dev.mmalign.operator.sweep;

import dev.mmalign.api.run.Method;
import dev.mmalign.api.sweep.AlignmentSweep;
import dev.mmalign.api.sweep.SweepAxes;
import dev.mmalign.operator.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sweep's own validation (for API servers without CEL): each rule of the CRD, naming the field. */
class SweepValidatorTest {

    private static AlignmentSweep valid() {
        return Fixtures.sweep("ns", "s", List.of(0.5, 1.0), List.of(0.1), 2);
    }

    private static void assertRejected(AlignmentSweep sweep, String words) {
        List<String> errors = SweepValidator.validate(sweep);
        assertTrue(errors.stream().anyMatch(e -> e.contains(words)), "expected '" + words + "' in " + errors);
    }

    @Test
    void aValidSweepPasses() {
        assertEquals(List.of(), SweepValidator.validate(valid()));
    }

    /** Guards each rule: no axis, product over the cap, range, duplicates, DPO axes without DPO, template rules. */
    @Test
    void eachBrokenRuleIsNamed() {
        AlignmentSweep s = valid();
        s.getSpec().axes = new SweepAxes();
        assertRejected(s, "spec.axes: set at least one axis");

        s = valid();
        s.getSpec().axes.dataFraction = List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8);
        s.getSpec().axes.beta = List.of(0.05, 0.1, 0.2, 0.5);
        assertRejected(s, "(32 child runs) must be at most 31");

        s = valid();
        s.getSpec().axes.dataFraction = List.of(0.5, 1.5);
        assertRejected(s, "spec.axes.dataFraction: every value must be in (0, 1]");

        s = valid();
        s.getSpec().axes.dataFraction = List.of(0.5, 0.5);
        assertRejected(s, "spec.axes.dataFraction: values must be unique");

        s = valid();
        s.getSpec().template.method = Method.SFT;
        s.getSpec().template.dpo = null;
        assertRejected(s, "the beta and averageLogProbs axes need method DPO");

        s = valid();
        s.getSpec().template.evaluation = Fixtures.evaluation();
        assertRejected(s, "spec.template.evaluation");

        s = valid();
        s.getSpec().maxConcurrent = 0;
        assertRejected(s, "spec.maxConcurrent");

        s = valid();
        s.getSpec().template.storage = null;
        assertRejected(s, "spec.template.storage.claimName is required");
    }
}
