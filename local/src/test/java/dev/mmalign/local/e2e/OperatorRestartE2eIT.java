package dev.mmalign.local.e2e;

import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.RunPhase;
import dev.mmalign.api.stage.StageResult;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator process is killed (SIGKILL) while a run trains, and while it is down the training pod is evicted (a
 * node drain during the outage: SIGTERM, the trainer saves a checkpoint and exits; the Job controller — the executor
 * here, not the operator — replaces the pod, which resumes from that checkpoint). A new operator process then picks
 * the run up.
 */
class OperatorRestartE2eIT {

    /**
     * Guards: a restarted operator adopts the Job it created before (one training Job, same uid: no duplicate); the
     * eviction is a disruption, not a failure (the Job's failed count stays empty); the evicted pod stopped with a
     * checkpoint (outcome interrupted, exit 143) and its replacement resumed from exactly that checkpoint; the run ends
     * Succeeded with metrics, output and its latest checkpoint.
     */
    @Test
    void operatorKilledDuringTrainingIsRestartedAndTheRunCompletesFromItsCheckpoint() throws Exception {
        try (E2eCluster c = E2eCluster.start("operator-restart")) {
            Path claim = c.prepareClaim(TrainingInterruptions.CLAIM);
            c.startOperator();
            TrainingInterruptions.Frozen frozen = TrainingInterruptions.frozenAfterACheckpoint(c, claim);
            Job before = TrainingInterruptions.trainJob(c);

            c.killOperator();
            try {
                assertTrue(c.jobs.evictPod(E2eCluster.NS, frozen.pod().getMetadata().getName()),
                        "training pod evicted");
            } finally {
                frozen.process().thaw(); // the SIGTERM waiting for it now lands mid-training
            }
            var evicted = TrainingInterruptions.awaitEnded(c, frozen.pod());
            assertEquals(143, evicted.getExitCode(), "stopped by SIGTERM: " + evicted.getMessage());
            StageResult stopped = TrainingInterruptions.result(evicted);
            assertEquals(StageResult.Outcome.interrupted, stopped.outcome, stopped.message);
            long savedAt = stopped.counts.get("checkpointStep");
            assertTrue(savedAt > frozen.checkpointStep(), "a checkpoint saved on SIGTERM, after the periodic "
                    + frozen.checkpointStep() + ": " + stopped.counts);
            c.startOperator();

            AlignmentRun run = c.await(AlignmentRun.class, TrainingInterruptions.RUN, TrainingInterruptions.LONG,
                    r -> Statuses.phase(r) == RunPhase.Succeeded, Statuses::failure);
            Job after = TrainingInterruptions.trainJob(c);
            assertEquals(before.getMetadata().getUid(), after.getMetadata().getUid(), "the same training Job");
            assertEquals(2, TrainingInterruptions.pods(c, after).size(), "the evicted pod and its replacement");
            assertNull(after.getStatus().getFailed(), "an eviction is not a failure (podFailurePolicy Ignore)");
            assertNotNull(run.getStatus().metrics, "training metrics in status");
            assertNotNull(run.getStatus().metrics.loss, "loss in status");
            assertNotNull(run.getStatus().output, "output in status");
            assertNotNull(run.getStatus().latestCheckpoint, "latest checkpoint in status");
            TrainingInterruptions.assertResumedFrom(claim, savedAt);
        }
    }
}
