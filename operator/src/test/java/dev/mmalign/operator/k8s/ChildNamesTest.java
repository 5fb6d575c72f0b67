package dev.mmalign.operator.k8s;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deterministic child names (what makes reconciles idempotent). */
class ChildNamesTest {

    /** Guards determinism and the generation in Job names (a rerun gets a new name). */
    @Test
    void namesAreDeterministic() {
        assertEquals("prefs-sample-1", ChildNames.job("prefs", "sample", 1));
        assertEquals(ChildNames.job("prefs", "sample", 1), ChildNames.job("prefs", "sample", 1));
        assertNotEquals(ChildNames.job("prefs", "sample", 1), ChildNames.job("prefs", "sample", 2));
        assertEquals("prefs-sample-1-spec", ChildNames.stageSpec("prefs-sample-1"));
        assertEquals("dpo-eval", ChildNames.evaluationSuite("dpo"));
    }

    /** Guards label-value length: long names are cut to 63 characters with a hash, and stay distinct. */
    @Test
    void longNamesFitALabelValue() {
        String a = ChildNames.job("x".repeat(80) + "a", "evaluate-model", 1);
        String b = ChildNames.job("x".repeat(80) + "b", "evaluate-model", 1);
        assertTrue(a.length() <= 63, a);
        assertNotEquals(a, b);
        assertTrue(a.matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"), a);
    }
}
