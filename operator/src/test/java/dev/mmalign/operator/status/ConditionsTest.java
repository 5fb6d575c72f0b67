package dev.mmalign.operator.status;

import dev.mmalign.api.common.StageState;
import io.fabric8.kubernetes.api.model.Condition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Conditions and transition Events (pure). */
class ConditionsTest {

    private static String status(List<Condition> cs, String type) {
        return Conditions.find(cs, type).orElseThrow().getStatus();
    }

    /** Guards consistency: one overall state sets all conditions; lastTransitionTime moves only on a change of
     * status; observedGeneration is recorded. */
    @Test
    void conditionsFollowTheOverallState() {
        List<Condition> cs = new ArrayList<>();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        Conditions.report(cs, Conditions.State.PROGRESSING, "Training", "step 1", 1, t0, true);
        assertEquals("True", status(cs, "Progressing"));
        assertEquals("False", status(cs, "Ready"));
        assertEquals("False", status(cs, "Suspended"));
        Conditions.report(cs, Conditions.State.PROGRESSING, "Training", "step 2", 2, t0.plusSeconds(60), true);
        var progressing = Conditions.find(cs, "Progressing").orElseThrow();
        assertEquals("2026-01-01T00:00:00Z", progressing.getLastTransitionTime());
        assertEquals("step 2", progressing.getMessage());
        assertEquals(2L, progressing.getObservedGeneration());
        Conditions.report(cs, Conditions.State.SUSPENDED, "SuspendedBySpec", "", 3, t0.plusSeconds(120), true);
        assertEquals("True", status(cs, "Suspended"));
        assertEquals("2026-01-01T00:02:00Z", Conditions.find(cs, "Progressing").get().getLastTransitionTime());
        Conditions.report(cs, Conditions.State.FAILED, "JobFailed", "exit code 2: x", 3, t0, true);
        assertEquals("True", status(cs, "Failed"));
        assertEquals("False", status(cs, "Suspended"));
        assertEquals(4, cs.size());

        List<Condition> noSuspend = new ArrayList<>();
        Conditions.report(noSuspend, Conditions.State.READY, "DatasetReady", "", 1, t0, false);
        assertEquals(3, noSuspend.size());
    }

    /** Guards Events: one per stage transition (Warning for failures) and one per phase change. */
    @Test
    void transitionsBecomeEvents() {
        StageState before = new StageState("sample", StageState.Phase.Running);
        before.generation = 1L;
        StageState after = new StageState("sample", StageState.Phase.Failed);
        after.generation = 1L;
        after.message = "exit code 2: bad";
        var events = Transitions.between("Sampling", List.of(before), "Failed", List.of(after), "JobFailed", "m");
        assertEquals(2, events.size());
        assertEquals("Warning", events.get(0).type());
        assertEquals("StageFailed", events.get(0).reason());
        assertTrue(events.get(0).message().contains("exit code 2: bad"));
        assertEquals("JobFailed", events.get(1).reason());
        assertTrue(Transitions.between("Failed", List.of(after), "Failed", List.of(after), "JobFailed", "m").isEmpty());
    }
}
