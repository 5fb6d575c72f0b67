package dev.mmalign.operator.jobs;

import dev.mmalign.api.common.StageState;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.TerminationMessage;
import dev.mmalign.operator.k8s.Labels;
import dev.mmalign.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Reading Job and pod status into a stage observation (pure). */
class JobObserverTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private static Job job(int completions, Boolean suspend, String conditionType, String reason, int active,
                           int succeeded, int failed) {
        var b = new JobBuilder().withNewMetadata().withName("j").endMetadata()
                .withNewSpec().withCompletions(completions).withSuspend(suspend).endSpec()
                .withNewStatus().withActive(active).withSucceeded(succeeded).withFailed(failed)
                .withStartTime("2026-01-01T11:00:00Z");
        if (conditionType != null) {
            b.addNewCondition().withType(conditionType).withStatus("True").withReason(reason)
                    .withMessage("Job has reached the specified backoff limit").endCondition();
        }
        return b.endStatus().build();
    }

    private static Pod terminated(int index, int exitCode, String message, String started, String finished) {
        return new PodBuilder().withNewMetadata().withName("p" + index + exitCode + finished)
                .addToAnnotations(Labels.COMPLETION_INDEX, String.valueOf(index)).endMetadata()
                .withNewStatus().addToContainerStatuses(new ContainerStatusBuilder().withName("stage").withNewState()
                        .withNewTerminated().withExitCode(exitCode).withMessage(message).withStartedAt(started)
                        .withFinishedAt(finished).endTerminated().endState().build()).endStatus().build();
    }

    private static Pod running(int index, String started) {
        return new PodBuilder().withNewMetadata().withName("r" + index)
                .addToAnnotations(Labels.COMPLETION_INDEX, String.valueOf(index)).endMetadata()
                .withNewStatus().addToContainerStatuses(new ContainerStatusBuilder().withName("stage").withNewState()
                        .withNewRunning().withStartedAt(started).endRunning().endState().build()).endStatus().build();
    }

    /** Guards the phase mapping: no pods yet → Pending, active → Running, suspended → Suspended. */
    @Test
    void phases() {
        assertEquals(StageState.Phase.Pending, JobObserver.observe(job(1, false, null, null, 0, 0, 0), List.of(), NOW)
                .phase());
        assertEquals(StageState.Phase.Running, JobObserver.observe(job(1, false, null, null, 1, 0, 0), List.of(), NOW)
                .phase());
        assertEquals(StageState.Phase.Suspended, JobObserver.observe(job(1, true, null, null, 0, 0, 0), List.of(), NOW)
                .phase());
    }

    /** Guards results of an Indexed Job: one per completion index, the latest success of each (a retried shard is
     * not counted twice), and the pods' run time. */
    @Test
    void succeededJobYieldsOneResultPerShard() {
        String r0 = TerminationMessage.encode(Fixtures.result(StageName.sample, Map.of("prompts", 5L), Map.of(), Map.of()));
        String r1old = TerminationMessage.encode(Fixtures.result(StageName.sample, Map.of("prompts", 1L), Map.of(), Map.of()));
        String r1 = TerminationMessage.encode(Fixtures.result(StageName.sample, Map.of("prompts", 6L), Map.of(), Map.of()));
        var obs = JobObserver.observe(job(2, false, "Complete", "CompletionsReached", 0, 2, 0), List.of(
                terminated(0, 0, r0, "2026-01-01T11:00:00Z", "2026-01-01T11:01:00Z"),
                terminated(1, 0, r1old, "2026-01-01T11:00:00Z", "2026-01-01T11:00:30Z"),
                terminated(1, 0, r1, "2026-01-01T11:00:30Z", "2026-01-01T11:02:00Z")), NOW);
        assertEquals(StageState.Phase.Succeeded, obs.phase());
        assertEquals(2, obs.results().size());
        assertEquals(6L, obs.results().get(1).counts.get("prompts"));
        assertEquals(60 + 30 + 90, obs.podSeconds());
        assertNull(obs.failureReason());
    }

    /** Guards failure reporting: the exit code and the stage's own message (from its JSON termination message),
     * BudgetExhausted for exit 3, and a plain-text termination message taken as is. */
    @Test
    void failures() {
        String msg = TerminationMessage.encode(Fixtures.failure(StageName.annotate, "budget of 5.00 USD spent"));
        var budget = JobObserver.observe(job(1, false, "Failed", "PodFailurePolicy", 0, 0, 1),
                List.of(terminated(0, 3, msg, "2026-01-01T11:00:00Z", "2026-01-01T11:01:00Z")), NOW);
        assertEquals(StageState.Phase.Failed, budget.phase());
        assertEquals("BudgetExhausted", budget.failureReason());
        assertEquals("exit code 3: budget of 5.00 USD spent", budget.lastFailure());

        var plain = JobObserver.observe(job(1, false, "Failed", "BackoffLimitExceeded", 0, 0, 2), List.of(
                terminated(0, 1, "first", "2026-01-01T11:00:00Z", "2026-01-01T11:01:00Z"),
                terminated(0, 139, "Segmentation fault\n", "2026-01-01T11:01:00Z", "2026-01-01T11:02:00Z")), NOW);
        assertEquals("JobFailed", plain.failureReason());
        assertEquals("exit code 139: Segmentation fault", plain.lastFailure());
        assertEquals(2, plain.failedAttempts());

        var deadline = JobObserver.observe(job(1, false, "Failed", "DeadlineExceeded", 0, 0, 0), List.of(), NOW);
        assertEquals("DeadlineExceeded", deadline.failureReason());
        assertEquals("Job has reached the specified backoff limit", deadline.lastFailure());
    }

    /**
     * Guards the race between the operator's Job and pod caches: a Job failed for a pod (PodFailurePolicy,
     * BackoffLimitExceeded) whose pod the cache still shows running is not reported Failed with the Job's generic
     * message; it is once the pod's termination is seen, with the stage's own message. A deadline fails at once.
     */
    @Test
    void aFailedJobWaitsForItsFailedPodToBeSeen() {
        String msg = TerminationMessage.encode(Fixtures.failure(StageName.train, "sets/dpo.jsonl line 7: bad"));
        Job failed = job(1, false, "Failed", "PodFailurePolicy", 0, 0, 1);
        var stale = JobObserver.observe(failed, List.of(running(0, "2026-01-01T11:59:00Z")), NOW);
        assertEquals(StageState.Phase.Running, stale.phase());
        assertNull(stale.lastFailure());

        var seen = JobObserver.observe(failed,
                List.of(terminated(0, 2, msg, "2026-01-01T11:59:00Z", "2026-01-01T11:59:30Z")), NOW);
        assertEquals(StageState.Phase.Failed, seen.phase());
        assertEquals("exit code 2: sets/dpo.jsonl line 7: bad", seen.lastFailure());

        var gone = JobObserver.observe(job(1, false, "Failed", "BackoffLimitExceeded", 0, 0, 1), List.of(), NOW);
        assertEquals(StageState.Phase.Failed, gone.phase(), "no pod left to wait for: the Job's message it is");
        assertEquals("Job has reached the specified backoff limit", gone.lastFailure());

        var deadline = JobObserver.observe(job(1, false, "Failed", "DeadlineExceeded", 0, 0, 0),
                List.of(running(0, "2026-01-01T11:59:00Z")), NOW);
        assertEquals(StageState.Phase.Failed, deadline.phase(), "a deadline fails the Job before its pods stop");
    }

    /** Guards live accounting: a running pod counts up to now. */
    @Test
    void runningPodsCountUpToNow() {
        var obs = JobObserver.observe(job(1, false, null, null, 1, 0, 0), List.of(running(0, "2026-01-01T11:59:00Z")),
                NOW);
        assertEquals(60, obs.podSeconds());
    }
}
