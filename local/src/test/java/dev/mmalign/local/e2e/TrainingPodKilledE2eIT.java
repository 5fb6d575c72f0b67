package dev.mmalign.local.e2e;

import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.RunPhase;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A training pod's container is killed outright mid-run (SIGKILL: the OOM killer, a crash), with the operator up. It
 * has no chance to save anything on the way out, so the retry must start from the last periodic checkpoint.
 */
class TrainingPodKilledE2eIT {

    /**
     * Guards: the killed pod ends Failed with exit code 137; the Job counts one failure and replaces the pod (one Job,
     * two pods); the new pod resumes from exactly the latest checkpoint there was when the pod was killed (not step
     * 0); the run ends Succeeded, with 2 attempts, its metrics and its latest checkpoint in status.
     */
    @Test
    void killedTrainingPodIsRetriedAndResumesFromTheLatestCheckpoint() throws Exception {
        try (E2eCluster c = E2eCluster.start("pod-killed")) {
            Path claim = c.prepareClaim(TrainingInterruptions.CLAIM);
            c.startOperator();
            TrainingInterruptions.Frozen frozen = TrainingInterruptions.frozenAfterACheckpoint(c, claim);

            frozen.process().kill();

            ContainerStateTerminated killed = TrainingInterruptions.awaitEnded(c, frozen.pod());
            assertEquals(137, killed.getExitCode(), "SIGKILL: 128 + 9");
            AlignmentRun run = c.await(AlignmentRun.class, TrainingInterruptions.RUN, TrainingInterruptions.LONG,
                    r -> Statuses.phase(r) == RunPhase.Succeeded, Statuses::failure);
            Job train = TrainingInterruptions.trainJob(c);
            assertEquals(1, train.getStatus().getFailed(), "the kill counted as one failure");
            assertEquals(2, TrainingInterruptions.pods(c, train).size(), "the killed pod and its replacement");
            assertEquals(2, run.getStatus().attempts, "attempts in status");
            assertNotNull(run.getStatus().metrics.loss, "training metrics in status");
            assertNotNull(run.getStatus().latestCheckpoint, "latest checkpoint in status");
            TrainingInterruptions.assertResumedFrom(claim, frozen.checkpointStep());
        }
    }
}
