package dev.mmalign.operator.run;

import dev.mmalign.api.common.ConditionTypes;
import dev.mmalign.api.common.StageState;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.RunOutput;
import dev.mmalign.api.run.RunPhase;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.operator.status.Conditions;
import dev.mmalign.operator.status.StageStates;

import java.util.function.Function;

/**
 * Turns a model reference (a folder, or another AlignmentRun's output) into the folders a stage pod loads (pure: runs
 * are looked up through the given function). A run's output is usable as soon as its train stage succeeded, even while
 * it is still being evaluated: that is what lets a run's own evaluation suite evaluate it.
 */
public final class ModelResolver {

    /** How deep run-on-run references are followed before calling it a cycle. */
    static final int MAX_DEPTH = 8;

    /** The outcome: a model, something to wait for, or a reference that can never work. */
    public sealed interface Resolution permits Resolved, Waiting, Invalid {}

    public record Resolved(ResolvedModel model) implements Resolution {}

    /**
     * A model not there yet. {@code blocked}: the run that trains it failed, so it comes only once that run is fixed
     * (reason {@value #RUN_FAILED}); otherwise it is on its way.
     */
    public record Waiting(String reason, String message, boolean blocked) implements Resolution {}

    /** Reason of a wait on a run that failed. */
    public static final String RUN_FAILED = "AlignmentRunFailed";

    public record Invalid(String message) implements Resolution {}

    private final Function<String, AlignmentRun> runs;

    /** @param runs looks up an AlignmentRun by name in the namespace at hand; null when absent */
    public ModelResolver(Function<String, AlignmentRun> runs) {
        this.runs = runs;
    }

    public Resolution resolve(String name, String path, String alignmentRun, Boolean merged) {
        return resolve(name, path, alignmentRun, Boolean.TRUE.equals(merged), 0);
    }

    private Resolution resolve(String name, String path, String runName, boolean merged, int depth) {
        if (path != null) {
            return new Resolved(new ResolvedModel(name, path, null));
        }
        if (runName == null) {
            return new Invalid("model " + name + " names neither a path nor an alignmentRun");
        }
        if (depth >= MAX_DEPTH) {
            return new Invalid("alignmentRun references of model " + name + " are nested too deep (a cycle?)");
        }
        AlignmentRun run = runs.apply(runName);
        if (run == null) {
            return new Waiting("ModelNotFound", "AlignmentRun " + runName + " does not exist", false);
        }
        if (!isTrained(run) && run.getStatus() != null && run.getStatus().phase == RunPhase.Failed) {
            String why = Conditions.find(run.getStatus().conditions, ConditionTypes.FAILED).map(c -> c.getMessage())
                    .filter(m -> !m.isEmpty()).orElse("no message");
            return new Waiting(RUN_FAILED, "AlignmentRun " + runName + " failed (" + why + "); waiting for it to be "
                    + "fixed and trained", true);
        }
        if (!isTrained(run)) {
            String phase = run.getStatus() != null && run.getStatus().phase != null
                    ? run.getStatus().phase.name() : "Pending";
            return new Waiting("ModelNotReady", "waiting for AlignmentRun " + runName + " to finish training (phase "
                    + phase + ")", false);
        }
        RunOutput out = run.getStatus().output;
        if (merged || out.adapterPath == null) {
            // A merged model, or a full fine-tune (no adapter): one self-contained folder.
            return new Resolved(new ResolvedModel(name, out.mergedModelPath, null));
        }
        var base = run.getSpec().baseModel;
        Resolution b = resolve(name, base.path, base.alignmentRun, Boolean.TRUE.equals(base.merged), depth + 1);
        if (b instanceof Resolved r) {
            if (r.model().adapterPath != null) {
                return new Invalid("AlignmentRun " + runName + " was trained on top of another run's adapter; "
                        + "adapters do not stack: reference it with merged: true");
            }
            return new Resolved(new ResolvedModel(name, r.model().path, out.adapterPath));
        }
        return b;
    }

    /** Whether the run's train stage succeeded and its output is recorded. */
    public static boolean isTrained(AlignmentRun run) {
        var st = run.getStatus();
        return st != null && st.output != null && StageStates.find(st.stages, RunPlan.TRAIN)
                .map(s -> s.phase == StageState.Phase.Succeeded).orElse(false);
    }
}
