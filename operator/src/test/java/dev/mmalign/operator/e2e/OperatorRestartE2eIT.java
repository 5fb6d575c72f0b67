package dev.mmalign.operator.e2e;

import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.RunPhase;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator process is killed (SIGKILL) while a run trains, and while it is down the training pod is evicted (a
 * node drain during the outage: the Job controller — the executor here, not the operator — replaces the pod, which
 * resumes from the checkpoint). A new operator process then picks the run up.
 */
class OperatorRestartE2eIT {

    /**
     * Guards: a restarted operator adopts the Job it created before (no second training Job, the Job keeps its
     * name/uid), the run ends Succeeded with metrics and an output, and the training resumed from a checkpoint
     * rather than starting over.
     */
    @Test
    void operatorKilledDuringTrainingIsRestartedAndTheRunCompletesFromItsCheckpoint() throws Exception {
        try (E2eCluster c = E2eCluster.start("operator-restart")) {
            Path claim = c.prepareClaim(TrainingInterruptions.CLAIM);
            c.startOperator();
            Pod pod = TrainingInterruptions.trainingPastFirstCheckpoint(c, claim);
            Job before = TrainingInterruptions.trainJob(c);

            c.killOperator();
            assertTrue(c.jobs.evictPod(E2eCluster.NS, pod.getMetadata().getName()), "training pod evicted");
            await("evicted pod ended").atMost(Duration.ofMinutes(2)).until(() -> {
                Pod p = c.client.pods().inNamespace(E2eCluster.NS).withName(pod.getMetadata().getName()).get();
                return p == null || "Failed".equals(p.getStatus().getPhase())
                        || "Succeeded".equals(p.getStatus().getPhase());
            });
            c.startOperator();

            AlignmentRun run = c.await(AlignmentRun.class, TrainingInterruptions.RUN, TrainingInterruptions.LONG,
                    r -> Statuses.phase(r) == RunPhase.Succeeded, Statuses::failure);
            Job after = TrainingInterruptions.trainJob(c);
            assertEquals(before.getMetadata().getUid(), after.getMetadata().getUid(), "the same training Job");
            assertTrue(c.podLogs(after.getMetadata().getName()).size() >= 2, "a replacement pod ran");
            assertNotNull(run.getStatus().metrics, "training metrics in status");
            assertNotNull(run.getStatus().metrics.loss, "loss in status");
            assertNotNull(run.getStatus().output, "output in status");
            TrainingInterruptions.assertResumedFromCheckpoint(claim);
        }
    }
}
