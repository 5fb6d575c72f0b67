package dev.mmalign.operator.status;

import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.operator.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounded record of a spec that names the fields a running stage does not see (pure). */
class SpecFieldsTest {

    @Test
    void namesExactlyTheTopLevelFieldsThatChanged() {
        AlignmentRunSpec spec = Fixtures.runOnFile("ns", "r").getSpec();
        Map<String, String> before = SpecFields.of(spec);
        assertEquals(List.of(), SpecFields.changed(before, SpecFields.of(spec)));

        spec.training.learningRate = 3e-4;
        spec.suspend = true;
        spec.queueName = "gpu";
        assertEquals(List.of("spec.queueName", "spec.training"), SpecFields.changed(before, SpecFields.of(spec)),
                "spec.suspend is applied to the running Job: not a change left unapplied");
    }

    /** Guards the size: the record stays small whatever the spec holds. */
    @Test
    void staysSmallForAHugeSpec() {
        AlignmentRunSpec spec = Fixtures.runOnFile("ns", "r").getSpec();
        spec.dataset.path = "x".repeat(1_000_000);
        Map<String, String> fields = SpecFields.of(spec);
        assertTrue(fields.values().stream().allMatch(h -> h.length() == 12), fields.toString());
        assertTrue(fields.toString().length() < 1000, fields.toString());
    }
}
