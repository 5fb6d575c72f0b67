package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pod runner alone (no Job state machine): pods created directly in the embedded API server, {@code sh -c}
 * scripts as their programs, the runner started, ended and evicting them as the executor would.
 */
class PodRunnerTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = "t";
    private long created;

    @TempDir
    Path workDir;
    EmbeddedApiServer api;
    KubernetesClient client;
    PodRunner runner;
    JobRun run;

    @BeforeEach
    void start() {
        api = EmbeddedApiServer.start(0);
        client = api.client();
        runner = new PodRunner(client, LocalExecutorConfig.defaults(TestPaths.repoRoot(), workDir).withMaxProcesses(2));
        run = new JobRun(NS, "job", "uid-job");
    }

    @AfterEach
    void stop() {
        runner.stopAll(List.of(run));
        runner.close();
        api.close();
    }

    private PodRun pod(String name, String script, long graceSeconds) {
        return pod(run, name, script, graceSeconds, null);
    }

    /** A pod of {@code job} created after every earlier one, with {@code spec.priority} as admission set it. */
    private PodRun pod(JobRun job, String name, String script, long graceSeconds, Integer priority) {
        Pod pod = client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace(NS).endMetadata().withNewSpec().withRestartPolicy("Never")
                .withTerminationGracePeriodSeconds(graceSeconds).withPriority(priority)
                .addNewContainer().withName("main").withImage("ignored").withCommand("sh", "-c", script).endContainer()
                .endSpec().build()).create();
        PodRun pr = new PodRun(pod, null, ++created);
        job.pods.put(pr.name, pr);
        return pr;
    }

    private String phase(String name) {
        Pod p = client.pods().inNamespace(NS).withName(name).get();
        return p.getStatus() == null ? null : p.getStatus().getPhase();
    }

    @Test
    void startsNoMoreProcessesThanTheLimitAndWritesRunning() {
        PodRun a = pod("a", "sleep 60", 1);
        PodRun b = pod("b", "sleep 60", 1);
        PodRun c = pod("c", "sleep 60", 1);
        runner.startPending(List.of(run), () -> { });
        assertTrue(a.running() && b.running(), "the first two pods got the two slots");
        assertNull(c.process, "the third waits for a free slot");
        assertEquals("Running", phase("a"));
        assertEquals("Running", phase("b"));
        assertNull(phase("c"), "a waiting pod stays Pending (no status written)");

        a.kill = PodRun.Kill.JOB_FINISHED;
        runner.terminate(a);
        await().atMost(WAIT).until(() -> a.process.isDone());
        runner.startPending(List.of(run), () -> { });
        assertTrue(c.running(), "the freed slot goes to the waiting pod");
    }

    /**
     * Guards the scheduler's queue order over all Jobs: free slots go to the pending pods of highest priority, and
     * among equal priorities to the oldest — not to the Job the executor happened to see first.
     */
    @Test
    void freeSlotsGoByPriorityThenAge() {
        JobRun other = new JobRun(NS, "other", "uid-other");
        PodRun unset = pod(run, "unset", "sleep 60", 1, null);
        PodRun low = pod(run, "low", "sleep 60", 1, 100);
        PodRun oldHigh = pod(other, "old-high", "sleep 60", 1, 300);
        PodRun newHigh = pod(run, "new-high", "sleep 60", 1, 300);
        try {
            runner.startPending(List.of(run, other), () -> { });
            assertTrue(oldHigh.running() && newHigh.running(), "the two slots go to the two priority-300 pods");
            assertNull(low.process);
            assertNull(unset.process);

            newHigh.kill = PodRun.Kill.JOB_FINISHED;
            runner.terminate(newHigh);
            await().atMost(WAIT).until(() -> newHigh.process.isDone());
            runner.startPending(List.of(run, other), () -> { });
            assertTrue(low.running(), "priority 100 before a pod without priority (0) created earlier");
            assertNull(unset.process);
        } finally {
            runner.stopAll(List.of(other));
        }
    }

    /**
     * Guards how local mode honours priority without preempting: with every slot taken by pods of lower priority, a
     * pending pod of higher priority than every running one starts beside them (one process beyond the limit by
     * default), while a second such pod, and a pod whose priority some running pod matches or beats, wait.
     */
    @Test
    void aPodOfHigherPriorityThanEveryRunningOneStartsBesideThem() {
        PodRun evalA = pod(run, "eval-a", "sleep 60", 1, 100);
        PodRun evalB = pod(run, "eval-b", "sleep 60", 1, 100);
        runner.startPending(List.of(run), () -> { });
        assertTrue(evalA.running() && evalB.running());

        PodRun annotate = pod(run, "annotate", "sleep 60", 1, 300);
        PodRun evalC = pod(run, "eval-c", "sleep 60", 1, 100);
        runner.startPending(List.of(run), () -> { });
        assertTrue(annotate.running(), "priority 300 above both running pods' 100: started as a third process");
        assertEquals("Running", phase("annotate"));
        assertNull(evalC.process, "a pod no higher than the running ones waits for a free slot");

        PodRun urgent = pod(run, "urgent", "sleep 60", 1, 400);
        PodRun build = pod(run, "build", "sleep 60", 1, 300);
        runner.startPending(List.of(run), () -> { });
        assertNull(urgent.process, "the one process beyond the limit is taken: even a 400 waits");

        evalA.kill = PodRun.Kill.JOB_FINISHED;
        runner.terminate(evalA);
        await().atMost(WAIT).until(() -> evalA.process.isDone());
        runner.startPending(List.of(run), () -> { });
        assertTrue(urgent.running(), "three processes again: the freed slot counts as the one beyond the limit");
        assertNull(build.process, "the 300 is no higher than the running ones: it waits");
        assertNull(evalC.process);
    }

    /** Guards the limit when overtaking is off, and that a running pod of the same priority stops one overtaking. */
    @Test
    void noPodOvertakesWhenOvertakingIsOffOrARunningPodIsAsHigh() {
        runner.close();
        runner = new PodRunner(client, LocalExecutorConfig.defaults(TestPaths.repoRoot(), workDir)
                .withMaxProcesses(2).withOvertaking(0));
        PodRun low = pod(run, "low", "sleep 60", 1, 100);
        PodRun high = pod(run, "high", "sleep 60", 1, 300);
        runner.startPending(List.of(run), () -> { });
        assertTrue(high.running() && low.running());
        PodRun higher = pod(run, "higher", "sleep 60", 1, 400);
        runner.startPending(List.of(run), () -> { });
        assertNull(higher.process, "overtaking off: even a pod above every running one waits");

        runner.close();
        runner = new PodRunner(client, LocalExecutorConfig.defaults(TestPaths.repoRoot(), workDir).withMaxProcesses(2));
        run.pods.remove(higher.name); // out of the queue: only the 300 below is pending
        PodRun secondHigh = pod(run, "second-high", "sleep 60", 1, 300);
        runner.startPending(List.of(run), () -> { });
        assertNull(secondHigh.process, "a running pod is as high (300): nothing overtakes");
    }

    @Test
    void endedPodReportsItsExitCodeAndTerminationMessage() {
        PodRun p = pod("fails", "echo 'bad input' > /dev/termination-log; exit 2", 1);
        runner.startPending(List.of(run), () -> { });
        await().atMost(WAIT).until(() -> p.process.isDone());
        Pod ended = runner.ended(NS, p, List.of());

        assertEquals("Failed", ended.getStatus().getPhase());
        Pod stored = client.pods().inNamespace(NS).withName("fails").get();
        assertEquals("Failed", stored.getStatus().getPhase());
        ContainerStateTerminated t = stored.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        assertEquals(2, t.getExitCode());
        assertEquals("Error", t.getReason());
        assertEquals("bad input", t.getMessage().trim());
    }

    @Test
    void aProcessIgnoringSigtermIsKilledAfterTheGracePeriod() {
        PodRun p = pod("stubborn", "trap '' TERM; echo ready; while true; do sleep 1; done", 1);
        runner.startPending(List.of(run), () -> { });
        await().atMost(WAIT).until(() -> java.nio.file.Files.exists(runner.logFile(NS, "stubborn"))
                && java.nio.file.Files.readString(runner.logFile(NS, "stubborn")).contains("ready"));
        runner.terminate(p);
        await().atMost(WAIT).until(() -> p.process.isDone());
        assertEquals(137, p.process.exitCode(), "SIGKILL after the 1 s grace period");
    }

    @Test
    void evictionMarksTheRunningPodAndEndsIt() {
        PodRun p = pod("evicted", "sleep 60", 1);
        runner.startPending(List.of(run), () -> { });
        assertTrue(runner.evict(NS, p));
        assertEquals(PodRun.Kill.EVICTED, p.kill);
        assertFalse(runner.evict(NS, p), "a pod being ended is not evicted twice");
        await().atMost(WAIT).until(() -> p.process.isDone());
        assertFalse(runner.evict(NS, p), "an ended pod cannot be evicted");
    }

    @Test
    void podLostInARestartIsFailedWithADisruptionTarget() {
        PodRun p = pod("lost", "sleep 60", 1);
        Pod failed = runner.lostInRestart(p.pod);
        assertEquals("Failed", failed.getStatus().getPhase());
        Pod stored = client.pods().inNamespace(NS).withName("lost").get();
        assertEquals("Failed", stored.getStatus().getPhase());
        PodCondition disruption = stored.getStatus().getConditions().stream()
                .filter(c -> "DisruptionTarget".equals(c.getType())).findFirst().orElse(null);
        assertNotNull(disruption, "DisruptionTarget condition: " + stored.getStatus().getConditions());
        assertEquals("TerminationByKubelet", disruption.getReason());
    }
}
