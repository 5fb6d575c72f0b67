package dev.mmalign.local.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.TerminationMessage;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the operator-restart and pod-kill tests share: the training manifests (src/test/resources/e2e/training), the
 * point at which they interrupt training, and their checks.
 *
 * <p>The interruption point is pinned, not raced: the test watches the run's checkpoint folder closely, and as soon as
 * a complete checkpoint is there it freezes the training pod's process ({@link ContainerProcess#freeze}). The pod is
 * then known to be past a complete checkpoint and before the end of training, however fast or slow the machine;
 * the operator kill, the eviction or the SIGKILL happen while it stands still.
 */
final class TrainingInterruptions {

    static final String RUN = "e2e-sft";
    static final String CLAIM = "e2e-data";
    static final Duration LONG = Duration.ofMinutes(10);
    /** training/10-run.yaml: 12 examples, batch 1, 3 epochs; a checkpoint every 3 steps (the last at 33). */
    static final long TOTAL_STEPS = 36;
    static final long LAST_PERIODIC_CHECKPOINT = 33;

    private static final Pattern CHECKPOINT = Pattern.compile("checkpoint-(\\d+)");

    private TrainingInterruptions() {
    }

    /** The training pod frozen right after a complete checkpoint (the latest at that moment: {@code checkpointStep}). */
    record Frozen(Pod pod, ContainerProcess process, long checkpointStep) {
    }

    /**
     * Applies dataset + run, waits for the training pod, and freezes it once a complete checkpoint exists. Fails
     * (saying why) if the run fails first, or if training got past its last periodic checkpoint before the freeze.
     */
    static Frozen frozenAfterACheckpoint(E2eCluster c, Path claim) throws Exception {
        c.apply(E2ePaths.manifests("training"));
        Pod pod = await("a running training pod of " + RUN).atMost(LONG).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    failIfRunFailed(c);
                    return c.jobsOf(RUN).stream().filter(TrainingInterruptions::isTrain).findFirst()
                            .flatMap(j -> c.client.pods().inNamespace(E2eCluster.NS)
                                    .withLabel("batch.kubernetes.io/job-name", j.getMetadata().getName()).list()
                                    .getItems().stream().filter(ContainerProcess::started).findFirst())
                            .orElse(null);
                }, p -> p != null);
        ContainerProcess process = ContainerProcess.of(pod);
        Path checkpoints = claim.resolve(ArtifactLayout.runCheckpoints(RUN));
        await("a complete checkpoint in " + checkpoints).atMost(LONG).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    assertTrue(process.alive(), "the training pod " + pod.getMetadata().getName()
                            + " ended before any checkpoint (logs: " + c.workDir.resolve("logs") + ")");
                    return latestCheckpoint(checkpoints).isPresent();
                });
        process.freeze();
        long step = latestCheckpoint(checkpoints).orElseThrow();
        assertTrue(process.alive(), "the training pod ended before it was frozen");
        // Checkpoint 33 (the last periodic one) not there yet: the loop is before step 33 of 36, mid-training.
        assertTrue(step < LAST_PERIODIC_CHECKPOINT, "training reached checkpoint " + step
                + " before the test froze it: the interruption would not land mid-training");
        return new Frozen(pod, process, step);
    }

    /** The step of the latest complete checkpoint under {@code dir}: a folder checkpoint-N (a checkpoint being
     * written is a hidden temporary folder until complete). The trainer renames that folder while this walks: a
     * folder gone mid-walk means "look again", not an error (it failed the test with NoSuchFileException). */
    static OptionalLong latestCheckpoint(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return OptionalLong.empty();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isDirectory).map(p -> CHECKPOINT.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches).mapToLong(m -> Long.parseLong(m.group(1))).max();
        } catch (java.io.UncheckedIOException e) {
            if (e.getCause() instanceof java.nio.file.NoSuchFileException) {
                return OptionalLong.empty();
            }
            throw e;
        }
    }

    private static void failIfRunFailed(E2eCluster c) {
        AlignmentRun r = c.get(AlignmentRun.class, RUN);
        String failed = r == null ? null : Statuses.failure(r);
        if (failed != null) {
            throw new AssertionError(RUN + " failed: " + failed + " (logs: " + c.workDir.resolve("logs") + ")");
        }
    }

    private static boolean isTrain(Job j) {
        return "train".equals(j.getMetadata().getLabels().get("mmalign.dev/stage"));
    }

    /** The one training Job of the run (fails if there are more: duplicates). */
    static Job trainJob(E2eCluster c) {
        List<Job> train = c.jobsOf(RUN).stream().filter(TrainingInterruptions::isTrain).toList();
        assertEquals(1, train.size(), "training Jobs of " + RUN + ": " + train.stream()
                .map(j -> j.getMetadata().getName()).toList());
        return train.get(0);
    }

    /** The pods of a Job in the API (ended ones included: the executor keeps failed pods, as the Job controller does). */
    static List<Pod> pods(E2eCluster c, Job job) {
        return c.client.pods().inNamespace(E2eCluster.NS)
                .withLabel("batch.kubernetes.io/job-name", job.getMetadata().getName()).list().getItems();
    }

    /** Waits until the pod has ended (phase Failed or Succeeded) and returns its container's terminated state. */
    static ContainerStateTerminated awaitEnded(E2eCluster c, Pod pod) {
        Pod ended = await("pod " + pod.getMetadata().getName() + " ended").atMost(Duration.ofMinutes(2))
                .until(() -> c.client.pods().inNamespace(E2eCluster.NS).withName(pod.getMetadata().getName()).get(),
                        p -> p != null && p.getStatus() != null && ("Failed".equals(p.getStatus().getPhase())
                                || "Succeeded".equals(p.getStatus().getPhase())));
        return ended.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    }

    /** The stage result a pod left in its termination message. */
    static StageResult result(ContainerStateTerminated terminated) throws IOException {
        assertTrue(terminated.getMessage() != null && terminated.getMessage().strip().startsWith("{"),
                "a stage result in the termination message: " + terminated.getMessage());
        return TerminationMessage.decode(terminated.getMessage().strip());
    }

    /**
     * Guards "resumed, not restarted": the final train result (result-train-00000.json) counts all steps, and its
     * attempt started at {@code fromStep} — the checkpoint the interrupted pod left — not at 0.
     */
    static StageResult assertResumedFrom(Path claim, long fromStep) throws IOException {
        Path file = claim.resolve(ArtifactLayout.runRoot(RUN)).resolve(ArtifactLayout.resultFile(StageName.train, 0));
        StageResult result = new ObjectMapper().readValue(file.toFile(), StageResult.class);
        assertEquals(StageResult.Outcome.succeeded, result.outcome, file + ": " + result.message);
        assertEquals(TOTAL_STEPS, result.counts.get("totalSteps"), "the manifests' size: " + result.counts);
        assertEquals(TOTAL_STEPS, result.counts.get("steps"), "all steps done: " + result.counts);
        assertTrue(fromStep > 0, "interrupted after a checkpoint: " + fromStep);
        assertEquals(fromStep, result.counts.get("resumedFromStep"), "the last attempt resumed from the checkpoint "
                + "the interrupted pod left: " + result.counts);
        assertEquals(TOTAL_STEPS - fromStep, result.counts.get("stepsThisAttempt"), result.counts.toString());
        return result;
    }
}
