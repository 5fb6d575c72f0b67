package dev.mmalign.operator.status;

import dev.mmalign.api.common.StageState;
import dev.mmalign.operator.jobs.JobObservation;

import java.util.List;
import java.util.Optional;

/** Reads and updates the per-stage entries of status.stages (pure). */
public final class StageStates {

    private StageStates() {}

    public static Optional<StageState> find(List<StageState> stages, String name) {
        return stages.stream().filter(s -> name.equals(s.name)).findFirst();
    }

    /** The entry of {@code name}, added as Pending (for {@code generation}) when missing. */
    public static StageState getOrAdd(List<StageState> stages, String name, long generation) {
        return find(stages, name).orElseGet(() -> {
            StageState s = new StageState(name, StageState.Phase.Pending);
            s.generation = generation;
            stages.add(s);
            return s;
        });
    }

    /**
     * Whether the stage should (re)start for {@code generation}: never started, or failed for an older spec. A stage
     * that succeeded is never rerun by a spec change (see README "rerun rule").
     */
    public static boolean needsRestart(StageState s, long generation) {
        return s.phase == StageState.Phase.Failed && s.generation != null && s.generation < generation;
    }

    /** Resets a failed stage so it runs again for {@code generation} (a new Job name). */
    public static void restart(StageState s, long generation) {
        s.phase = StageState.Phase.Pending;
        s.generation = generation;
        s.jobName = null;
        s.succeededShards = null;
        s.failedAttempts = null;
        s.startTime = null;
        s.completionTime = null;
        s.message = null;
    }

    /** Copies a Job observation into the stage's entry. */
    public static void apply(StageState s, String jobName, JobObservation o) {
        s.jobName = jobName;
        s.phase = o.phase();
        s.shards = o.shards();
        s.succeededShards = o.succeededShards();
        s.failedAttempts = o.failedAttempts();
        s.startTime = o.startTime();
        s.completionTime = o.completionTime();
        s.message = switch (o.phase()) {
            case Failed -> o.lastFailure();
            case Running -> o.lastFailure() != null ? "retrying after " + o.lastFailure() : null;
            case Suspended -> "suspended";
            default -> null;
        };
    }
}
