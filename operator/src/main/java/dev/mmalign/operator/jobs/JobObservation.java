package dev.mmalign.operator.jobs;

import dev.mmalign.api.common.StageState;
import dev.mmalign.api.stage.StageResult;

import java.util.List;

/**
 * What a stage's Job and pods say, reduced to what status needs.
 *
 * @param phase           Pending (no pod started yet), Running, Suspended, Succeeded or Failed
 * @param shards          completions in all
 * @param succeededShards completions done
 * @param failedAttempts  failed pods so far
 * @param startTime       the Job's start time (RFC 3339) or null
 * @param completionTime  when it finished (RFC 3339) or null
 * @param failureReason   short CamelCase reason when failed (JobFailed, BudgetExhausted, DeadlineExceeded) or null
 * @param lastFailure     "exit code N: message" of the latest failed pod, or null (also while retrying)
 * @param results         decoded termination messages of the succeeded pods, one per completion index
 * @param podSeconds      wall seconds of the stage container summed over all pods seen (finished and running)
 * @param lastResult      the newest decoded termination message of any pod (e.g. an interrupted one), or null
 */
public record JobObservation(
        StageState.Phase phase,
        int shards,
        int succeededShards,
        int failedAttempts,
        String startTime,
        String completionTime,
        String failureReason,
        String lastFailure,
        List<StageResult> results,
        long podSeconds,
        StageResult lastResult) {
}
