package dev.mmalign.operator.e2e;

import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.RunPhase;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A training pod is deleted mid-run (kubectl delete pod: SIGTERM, then gone) with the operator up. */
class TrainingPodKilledE2eIT {

    /**
     * Guards: the Job replaces the pod (one Job, a second pod), the new pod resumes from the latest checkpoint, and
     * the run ends Succeeded with its metrics.
     */
    @Test
    void killedTrainingPodIsReplacedAndResumes() throws Exception {
        try (E2eCluster c = E2eCluster.start("pod-killed")) {
            Path claim = c.prepareClaim(TrainingInterruptions.CLAIM);
            c.startOperator();
            Pod pod = TrainingInterruptions.trainingPastFirstCheckpoint(c, claim);

            c.client.pods().inNamespace(E2eCluster.NS).withName(pod.getMetadata().getName()).delete();

            AlignmentRun run = c.await(AlignmentRun.class, TrainingInterruptions.RUN, TrainingInterruptions.LONG,
                    r -> Statuses.phase(r) == RunPhase.Succeeded, Statuses::failure);
            Job train = TrainingInterruptions.trainJob(c);
            assertTrue(c.podLogs(train.getMetadata().getName()).size() >= 2, "a replacement pod ran");
            assertNotNull(run.getStatus().metrics, "training metrics in status");
            TrainingInterruptions.assertResumedFromCheckpoint(claim);
        }
    }
}
