package dev.mmalign.operator.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.RunPhase;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.StageName;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the operator-restart and pod-kill tests share: the training manifests, their waits and their checks. */
final class TrainingInterruptions {

    static final String RUN = "e2e-sft";
    static final String CLAIM = "e2e-data";
    static final Duration LONG = Duration.ofMinutes(10);

    private TrainingInterruptions() {
    }

    /** Applies dataset + run and waits until the run's training pod has written a checkpoint and trains on. */
    static Pod trainingPastFirstCheckpoint(E2eCluster c, Path claim) throws IOException {
        c.apply(E2ePaths.manifests("training"));
        c.await(AlignmentRun.class, RUN, LONG, r -> Statuses.phase(r) == RunPhase.Training, Statuses::failure);
        Path checkpoints = claim.resolve(ArtifactLayout.runCheckpoints(RUN));
        await("a checkpoint in " + checkpoints).atMost(LONG).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    String failed = Statuses.failure(c.get(AlignmentRun.class, RUN));
                    if (failed != null) {
                        throw new AssertionError(RUN + " failed: " + failed + " (logs: " + c.workDir.resolve("logs") + ")");
                    }
                    return hasCheckpoint(checkpoints);
                });
        Job train = trainJob(c);
        return await("running pod of " + train.getMetadata().getName()).atMost(LONG)
                .until(() -> c.client.pods().inNamespace(E2eCluster.NS)
                        .withLabel("batch.kubernetes.io/job-name", train.getMetadata().getName()).list().getItems()
                        .stream().filter(p -> "Running".equals(p.getStatus().getPhase())).findFirst().orElse(null),
                        p -> p != null);
    }

    static boolean hasCheckpoint(Path checkpoints) throws IOException {
        if (!Files.isDirectory(checkpoints)) {
            return false;
        }
        try (Stream<Path> s = Files.list(checkpoints)) {
            return s.anyMatch(Files::isDirectory);
        }
    }

    /** The one training Job of the run (fails if there are more: duplicates). */
    static Job trainJob(E2eCluster c) {
        List<Job> train = c.jobsOf(RUN).stream()
                .filter(j -> "train".equals(j.getMetadata().getLabels().get("mmalign.dev/stage"))).toList();
        assertEquals(1, train.size(), "training Jobs of " + RUN + ": " + train.stream()
                .map(j -> j.getMetadata().getName()).toList());
        return train.get(0);
    }

    /**
     * Guards "resumed, not restarted": the final train result (result-train-00000.json) counts all steps of the run,
     * but the last attempt did fewer — the rest came from the checkpoint.
     */
    static void assertResumedFromCheckpoint(Path claim) throws IOException {
        Path result = claim.resolve(ArtifactLayout.runRoot(RUN)).resolve(ArtifactLayout.resultFile(StageName.train, 0));
        JsonNode counts = new ObjectMapper().readTree(result.toFile()).path("counts");
        long steps = counts.path("steps").asLong();
        long thisAttempt = counts.path("stepsThisAttempt").asLong();
        assertEquals(counts.path("totalSteps").asLong(), steps, "all steps done: " + counts);
        assertTrue(thisAttempt > 0 && thisAttempt < steps, "the last attempt resumed mid-run: " + counts);
    }
}
