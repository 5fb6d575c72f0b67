package dev.mmalign.operator.run;

import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.common.StageState;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.AlignmentRunStatus;
import dev.mmalign.api.run.RunOutput;
import dev.mmalign.api.run.RunPhase;
import dev.mmalign.operator.status.Conditions;
import dev.mmalign.operator.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Model references resolved to folders (pure). */
class ModelResolverTest {

    private final Map<String, AlignmentRun> runs = new HashMap<>();
    private final ModelResolver resolver = new ModelResolver(runs::get);

    private AlignmentRun trained(String name, ModelSource base, String adapter) {
        AlignmentRun run = Fixtures.run("ns", name, "prefs");
        run.getSpec().baseModel = base;
        run.setStatus(new AlignmentRunStatus());
        run.getStatus().stages.add(new StageState("train", StageState.Phase.Succeeded));
        run.getStatus().output = new RunOutput();
        run.getStatus().output.adapterPath = adapter;
        run.getStatus().output.mergedModelPath = "mmalign/runs/" + name + "/merged";
        runs.put(name, run);
        return run;
    }

    /** Guards the simple and waiting cases: a path as is; a missing or untrained run is waited for. */
    @Test
    void pathsAndWaiting() {
        var r = (ModelResolver.Resolved) resolver.resolve("m", "models/tiny", null, false);
        assertEquals("models/tiny", r.model().path);
        assertNull(r.model().adapterPath);

        var missing = (ModelResolver.Waiting) resolver.resolve("m", null, "nope", false);
        assertEquals("ModelNotFound", missing.reason());
        AlignmentRun training = Fixtures.run("ns", "busy", "prefs");
        runs.put("busy", training);
        var busy = (ModelResolver.Waiting) resolver.resolve("m", null, "busy", false);
        assertEquals("ModelNotReady", busy.reason());
        assertTrue(busy.message().contains("busy"));
        assertFalse(busy.blocked());
    }

    /** Guards a failed run: the wait for its model is blocked (reason AlignmentRunFailed, the run's own message). */
    @Test
    void failedRunBlocks() {
        AlignmentRun failed = Fixtures.run("ns", "broken", "prefs");
        failed.setStatus(new AlignmentRunStatus());
        failed.getStatus().phase = RunPhase.Failed;
        failed.getStatus().stages.add(new StageState("train", StageState.Phase.Failed));
        Conditions.report(failed.getStatus().conditions, Conditions.State.FAILED, "JobFailed",
                "stage train: exit code 1: out of memory", 1, Instant.now(), true);
        runs.put("broken", failed);
        var w = (ModelResolver.Waiting) resolver.resolve("m", null, "broken", false);
        assertTrue(w.blocked());
        assertEquals("AlignmentRunFailed", w.reason());
        assertTrue(w.message().contains("AlignmentRun broken failed (stage train: exit code 1: out of memory)"),
                w.message());
    }

    /** Guards run outputs: base folder + the run's adapter; merged when asked; adapters never stacked. */
    @Test
    void runOutputs() {
        trained("dpo", ModelSource.ofPath("models/llava"), "mmalign/runs/dpo/adapter");
        var r = (ModelResolver.Resolved) resolver.resolve("aligned", null, "dpo", false);
        assertEquals("models/llava", r.model().path);
        assertEquals("mmalign/runs/dpo/adapter", r.model().adapterPath);

        var merged = (ModelResolver.Resolved) resolver.resolve("aligned", null, "dpo", true);
        assertEquals("mmalign/runs/dpo/merged", merged.model().path);
        assertNull(merged.model().adapterPath);

        trained("dpo2", ModelSource.ofRun("dpo"), "mmalign/runs/dpo2/adapter");
        assertInstanceOf(ModelResolver.Invalid.class, resolver.resolve("x", null, "dpo2", false));
        ModelSource mergedBase = ModelSource.ofRun("dpo");
        mergedBase.merged = true;
        trained("dpo3", mergedBase, "mmalign/runs/dpo3/adapter");
        var chained = (ModelResolver.Resolved) resolver.resolve("x", null, "dpo3", false);
        assertEquals("mmalign/runs/dpo/merged", chained.model().path);
        assertEquals("mmalign/runs/dpo3/adapter", chained.model().adapterPath);
    }

    /** Guards against reference cycles. */
    @Test
    void cyclesAreInvalid() {
        trained("a", ModelSource.ofRun("b"), "ad");
        trained("b", ModelSource.ofRun("a"), "bd");
        assertInstanceOf(ModelResolver.Invalid.class, resolver.resolve("x", null, "a", false));
    }
}
