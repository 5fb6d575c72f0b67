package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet of local mode: runs the pods the {@link LocalJobExecutor} created as local processes
 * ({@link PodLauncher}), at most {@link LocalExecutorConfig#maxProcesses()} at once (a few more for pods that overtake:
 * {@link #startPending}), ends them (SIGTERM, SIGKILL
 * after the pod's grace period) and writes what their container did into the pod's status (Running, then terminated
 * with exit code, reason and termination message). It decides nothing about Jobs: which pod to end, and what an
 * ended pod means for its Job, is the executor's part.
 *
 * <p>Only the executor's controller thread calls it, except {@link #close}.
 */
final class PodRunner implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PodRunner.class);
    private static final long DEFAULT_GRACE_SECONDS = 30;
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(10);
    /** The kube-scheduler's queue order (its PrioritySort plugin): priority, highest first, then age. */
    static final Comparator<PodRun> QUEUE_ORDER = Comparator.comparingInt((PodRun p) -> p.priority).reversed()
            .thenComparingLong(p -> p.sequence);

    private final LocalExecutorConfig config;
    private final PodLauncher launcher;
    private final StatusWriter statusWriter;
    private final ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mmalign-local-kill");
        t.setDaemon(true);
        return t;
    });

    PodRunner(KubernetesClient client, LocalExecutorConfig config) {
        this.config = config;
        this.launcher = new PodLauncher(client, config);
        this.statusWriter = new StatusWriter(client);
    }

    /**
     * Gives free process slots to Pending pods (no process yet, not being ended) as the scheduler's queue orders them:
     * highest priority first, then the oldest, and writes their Running status; {@code onExit} runs whenever one of
     * their processes ends.
     *
     * <p>With every slot taken, a pending pod of higher priority than every running pod does not wait: it starts
     * beside them, up to {@link LocalExecutorConfig#overtaking()} processes beyond the limit. Local mode never
     * preempts (the stage PriorityClasses say {@code preemptionPolicy: Never}, and an evicted pod's work would be
     * lost), and the limit only keeps the machine's cores from being shared by more processes than they can serve
     * well, so sharing them a while with a higher-priority pod is the cheaper way to honour its priority. It is what
     * keeps a dataset's short stages (annotate, build: every training waits for them) from queueing behind the
     * evaluations that took the slots sampling freed a moment before the operator created the next stage's Job.
     */
    void startPending(Collection<JobRun> runs, Runnable onExit) {
        int running = 0;
        int highestRunning = Integer.MIN_VALUE;
        List<PodRun> pending = new ArrayList<>();
        Map<PodRun, String> namespaces = new HashMap<>();
        for (JobRun run : runs) {
            for (PodRun pr : run.pods.values()) {
                if (pr.running()) {
                    running++;
                    highestRunning = Math.max(highestRunning, pr.priority);
                } else if (pr.pending()) {
                    pending.add(pr);
                    namespaces.put(pr, run.namespace);
                }
            }
        }
        pending.sort(QUEUE_ORDER);
        for (PodRun pr : pending) {
            boolean free = running < config.maxProcesses();
            boolean overtakes = running < config.maxProcesses() + config.overtaking() && pr.priority > highestRunning;
            if (!free && !overtakes) {
                return;
            }
            if (!free) {
                LOG.infof("pod %s/%s: priority %d above every running pod's, started beside them (%d processes)",
                        namespaces.get(pr), pr.name, pr.priority, running + 1);
            }
            pr.process = launcher.launch(pr.pod);
            pr.process.onExit().thenRun(onExit);
            running++;
            highestRunning = Math.max(highestRunning, pr.priority);
            if (pr.process.startError() == null) {
                writePodStatus(namespaces.get(pr), pr.name, new PodBuilder(pr.pod)
                        .withStatus(StatusWriter.running(pr.pod, pr.process)).build());
            }
        }
    }

    /** SIGTERM to the pod's process, SIGKILL once the pod's terminationGracePeriodSeconds (default 30) are over. */
    void terminate(PodRun pr) {
        pr.process.terminate(grace(pr.pod), killer);
    }

    /**
     * Evicts the pod when its process is still running and nobody is ending it yet: marks it {@code EVICTED} and
     * sends SIGTERM ({@link #terminate}).
     *
     * @return false when the process has already exited or is being ended for another reason
     */
    boolean evict(String namespace, PodRun pr) {
        if (pr.process == null || !pr.process.isAlive() || pr.kill != PodRun.Kill.NONE) {
            return false;
        }
        pr.kill = PodRun.Kill.EVICTED;
        LOG.infof("pod %s/%s: evicted, SIGTERM", namespace, pr.name);
        terminate(pr);
        return true;
    }

    /**
     * Writes the ended pod's status (phase from its exit code, the container's terminated state, {@code conditions}
     * added) and returns the pod with that status, for the executor to judge.
     */
    Pod ended(String namespace, PodRun pr, List<PodCondition> conditions) {
        Pod ended = new PodBuilder(pr.pod).withStatus(StatusWriter.terminated(pr.pod, pr.process, conditions)).build();
        writePodStatus(namespace, pr.name, ended);
        return ended;
    }

    /**
     * A pod a previous executor left Pending or Running (its process is gone with that executor): written as
     * Failed with condition DisruptionTarget (reason TerminationByKubelet), as a kubelet reports a pod it lost.
     */
    Pod lostInRestart(Pod pod) {
        String namespace = pod.getMetadata().getNamespace();
        PodProcess gone = PodProcess.failedToStart("the local executor restarted while the pod ran",
                launcher.logFile(namespace, pod.getMetadata().getName()), null);
        List<PodCondition> disruption = List.of(StatusWriter.cond("DisruptionTarget", "True", "TerminationByKubelet",
                StatusWriter.now()));
        Pod failed = new PodBuilder(pod).withStatus(StatusWriter.terminated(pod, gone, disruption)).build();
        writePodStatus(namespace, pod.getMetadata().getName(), failed);
        return failed;
    }

    /** Where a pod's stdout+stderr go. */
    Path logFile(String namespace, String podName) {
        return launcher.logFile(namespace, podName);
    }

    /**
     * Sends SIGTERM to every process still running among {@code runs}, waits up to 10 s, then SIGKILLs what is left.
     * Writes nothing to the API (the server may be going away too).
     */
    void stopAll(Collection<JobRun> runs) {
        List<PodProcess> alive = new ArrayList<>();
        runs.forEach(r -> r.pods.values().forEach(p -> {
            if (p.running()) {
                alive.add(p.process);
            }
        }));
        alive.forEach(p -> p.terminate(SHUTDOWN_WAIT, killer));
        long deadline = System.nanoTime() + SHUTDOWN_WAIT.toNanos();
        for (PodProcess p : alive) {
            try {
                p.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                p.kill();
            }
        }
    }

    /** Stops the SIGKILL timer; call after {@link #stopAll}. */
    @Override
    public void close() {
        killer.shutdownNow();
    }

    private void writePodStatus(String namespace, String podName, Pod withStatus) {
        try {
            statusWriter.writePodStatus(namespace, podName, withStatus.getStatus());
        } catch (KubernetesClientException e) {
            LOG.debugf("pod %s/%s: status not written: %s", namespace, podName, e.getMessage());
        }
    }

    private static Duration grace(Pod pod) {
        Long s = pod.getSpec().getTerminationGracePeriodSeconds();
        return Duration.ofSeconds(s == null ? DEFAULT_GRACE_SECONDS : s);
    }
}
