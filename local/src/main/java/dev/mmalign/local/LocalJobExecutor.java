package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Plays the Job controller for {@code batch/v1} Jobs against any Kubernetes API (in local mode the
 * {@link EmbeddedApiServer}): the Job state machine (Job → pods, completions, backoff, podFailurePolicy, deadlines,
 * status). The kubelet's part — each pod of a Job runs as a local process, is ended, and reports what its container
 * did — is the {@link PodRunner}'s.
 *
 * <pre>{@code
 * LocalJobExecutor executor = new LocalJobExecutor(client, LocalExecutorConfig.defaults(repoRoot, workDir));
 * executor.start();   // watches Jobs in all namespaces
 * ...
 * executor.close();   // SIGTERM to every pod process, then SIGKILL after 10 s
 * }</pre>
 *
 * <p>What it honours, like the Job controller: {@code parallelism}, {@code completions} (unset with parallelism
 * unset: 1; unset with parallelism set: done when a pod succeeded and none runs), {@code completionMode: Indexed}
 * (one pod per pending index, {@code JOB_COMPLETION_INDEX}, {@code status.completedIndexes}), {@code backoffLimit}
 * (default 6; a failed pod is replaced by a new one; Failed/BackoffLimitExceeded once failures exceed it),
 * {@code podFailurePolicy} (FailJob → Failed/PodFailurePolicy at once, Ignore → not counted, Count),
 * {@code suspend} (SIGTERM to running pods, which are then deleted and not counted; condition Suspended; no new pods
 * until resumed, startTime reset on resume), {@code activeDeadlineSeconds} (Failed/DeadlineExceeded, pods
 * terminated), Job deletion (SIGTERM, pods deleted), pod deletion through the API (SIGTERM, counted as a failure,
 * as the Job controller counts a deleted unfinished pod, unless its process then exits 0: succeeded, as the kubelet
 * reports it), eviction ({@link #evictPod}: DisruptionTarget).
 * Status written through the status subresource: Jobs with active, ready, terminating, succeeded, failed,
 * completedIndexes, startTime, completionTime and conditions Complete / Failed / Suspended; pods (by the
 * {@link PodRunner}) Pending → Running → Succeeded/Failed with the container's terminated state (exit code, reason,
 * termination message).
 *
 * <p>At most {@link LocalExecutorConfig#maxProcesses()} processes run at once; other pods wait in phase Pending and
 * get free slots as the kube-scheduler's queue orders them: by {@code spec.priority} (resolved from the pod's
 * PriorityClass when the pod is created, as the API server's Priority admission does: {@link PodPriorities}), highest
 * first, then the oldest. Nothing is preempted: instead a pod of higher priority than every running pod starts beside
 * them, up to {@link LocalExecutorConfig#overtaking()} processes beyond the limit ({@link PodRunner#startPending}).
 * Each pod's stdout+stderr go to {@code <workDir>/logs/<namespace>/<pod>.log}.
 *
 * <p>A replacement pod is created only once the pod it replaces has ended (podReplacementPolicy: Failed).
 *
 * <p>Not done (it is a test bed, not a scheduler): images, GPUs and resource requests, init and sidecar containers
 * (only the first container runs), restartPolicy OnFailure (treated as Never), backoffLimitPerIndex, successPolicy,
 * podReplacementPolicy TerminatingOrFailed, pod backoff delays (a failed pod is replaced at once), probes.
 * When started against Jobs that already have pods (a restart), pods left Pending/Running are marked Failed with a
 * DisruptionTarget condition and go through the pod failure policy.
 */
public final class LocalJobExecutor implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LocalJobExecutor.class);
    private static final int DEFAULT_BACKOFF_LIMIT = 6;
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final LocalExecutorConfig config;
    private final PodRunner runner;
    private final StatusWriter statusWriter;
    private final PodPriorities priorities;
    /** Pods created so far: the sequence that orders pending pods of equal priority (controller thread only). */
    private long podsCreated;
    private final Map<String, JobRun> runs = new LinkedHashMap<>();
    private final Set<String> deletedPodUids = ConcurrentHashMap.newKeySet();
    private final LinkedBlockingQueue<Boolean> wake = new LinkedBlockingQueue<>();
    private SharedIndexInformer<Job> jobs;
    private SharedIndexInformer<Pod> pods;
    private Thread controller;
    private volatile boolean closing;

    public LocalJobExecutor(KubernetesClient client, LocalExecutorConfig config) {
        this.client = client;
        this.config = config;
        this.runner = new PodRunner(client, config);
        this.statusWriter = new StatusWriter(client);
        this.priorities = new PodPriorities(client);
    }

    /** Starts watching Jobs (all namespaces) and the pods it creates; returns once both caches are filled. */
    public synchronized void start() {
        if (controller != null) {
            throw new IllegalStateException("already started");
        }
        jobs = client.batch().v1().jobs().inAnyNamespace().inform(new Wake<>() {
        }, 0);
        pods = client.pods().inAnyNamespace().withLabel(PodFactory.CONTROLLER_UID).inform(new Wake<>() {
            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
                deletedPodUids.add(pod.getMetadata().getUid());
                wake();
            }
        }, 0);
        controller = daemon(this::loop, "mmalign-local-jobs");
        controller.start();
    }

    /**
     * Evicts a running pod like the Eviction API or a node drain would: SIGTERM to its process, and when it has
     * ended, phase Failed (unless it exited 0) with condition DisruptionTarget (reason EvictionByEvictionAPI),
     * judged by the Job's podFailurePolicy (an {@code Ignore} rule on DisruptionTarget keeps it off backoffLimit).
     * The way to simulate a preemption in local mode.
     *
     * @return false when no running pod of that name is known, or its process has already exited (then it ended on
     *         its own, and is judged so)
     */
    public boolean evictPod(String namespace, String podName) {
        synchronized (runs) {
            for (JobRun run : runs.values()) {
                PodRun pr = run.namespace.equals(namespace) ? run.pods.get(podName) : null;
                if (pr != null && runner.evict(namespace, pr)) {
                    wake();
                    return true;
                }
            }
            return false;
        }
    }

    /** Where a pod's stdout+stderr go. */
    public Path logFile(String namespace, String podName) {
        return runner.logFile(namespace, podName);
    }

    /** The local folder of a PersistentVolumeClaim (what pods mounting it see). */
    public Path claimDir(String namespace, String claimName) {
        return new VolumeMapper(client, config.workDir()).claimDir(namespace, claimName);
    }

    /**
     * Stops watching, sends SIGTERM to every pod process, waits up to 10 s, then SIGKILLs what is left. Writes
     * nothing more to the API (the server may be going away too).
     */
    @Override
    public void close() {
        closing = true;
        if (controller != null) {
            controller.interrupt();
            try {
                controller.join(SHUTDOWN_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (jobs != null) {
            jobs.close();
        }
        if (pods != null) {
            pods.close();
        }
        List<JobRun> all;
        synchronized (runs) {
            all = new ArrayList<>(runs.values());
        }
        runner.stopAll(all);
        runner.close();
    }

    private void wake() {
        wake.offer(Boolean.TRUE);
    }

    /** The controller thread: one pass over every Job on each event, and at least every resync period. */
    private void loop() {
        while (!closing) {
            try {
                wake.poll(config.resync().toMillis(), TimeUnit.MILLISECONDS);
                wake.clear();
                if (!closing) {
                    synchronized (runs) {
                        reconcileAll();
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // The API may refuse a write (object gone meanwhile); the next pass starts from current state.
                LOG.warnf(e, "local job executor pass failed; retrying");
            }
        }
    }

    private void reconcileAll() {
        Map<String, Job> current = new HashMap<>();
        for (Job job : jobs.getStore().list()) {
            current.put(job.getMetadata().getUid(), job);
        }
        for (Job job : current.values()) {
            try {
                JobRun run = runs.computeIfAbsent(job.getMetadata().getUid(), uid -> adopt(job));
                reconcile(job, run);
            } catch (RuntimeException e) {
                // One Job the executor cannot handle (an odd spec, a refused write) must not stall the others.
                LOG.warnf(e, "job %s/%s: pass failed; retrying", job.getMetadata().getNamespace(),
                        job.getMetadata().getName());
            }
        }
        for (JobRun run : new ArrayList<>(runs.values())) {
            if (!current.containsKey(run.uid)) {
                jobGone(run);
            }
        }
        runner.startPending(runs.values(), this::wake);
        Set<String> known = new HashSet<>();
        runs.values().forEach(r -> r.pods.values().forEach(p -> known.add(p.uid)));
        deletedPodUids.retainAll(known);
    }

    // ---- one Job ----

    private void reconcile(Job job, JobRun run) {
        JobSpec spec = job.getSpec();
        String now = StatusWriter.now();
        collectEndedPods(job, run);

        if (!run.finished) {
            int backoffLimit = spec.getBackoffLimit() == null ? DEFAULT_BACKOFF_LIMIT : spec.getBackoffLimit();
            if (run.failed > backoffLimit) {
                fail(run, "BackoffLimitExceeded", "Job has reached the specified backoff limit", now);
            }
        }
        if (!run.finished) {
            if (Boolean.TRUE.equals(spec.getSuspend())) {
                if (!run.suspended) {
                    run.suspended = true;
                    run.startTime = null;
                    run.setCondition("Suspended", "True", "JobSuspended", "Job suspended", now);
                }
                killAll(run, PodRun.Kill.SUSPEND);
            } else {
                if (run.suspended) {
                    run.suspended = false;
                    run.setCondition("Suspended", "False", "JobResumed", "Job resumed", now);
                }
                if (run.startTime == null) {
                    run.startTime = now;
                }
                if (deadlineExceeded(spec, run)) {
                    fail(run, "DeadlineExceeded", "Job was active longer than specified deadline", now);
                } else if (complete(spec, run)) {
                    run.finished = true;
                    run.completionTime = now;
                    run.setCondition("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", now);
                } else {
                    createPods(job, run, now);
                }
            }
        }
        if (run.finished) {
            killAll(run, run.hasCondition("Failed") ? PodRun.Kill.JOB_FAILED : PodRun.Kill.JOB_FINISHED);
        }
        writeJobStatus(job, run);
    }

    /** Pods whose process ended (or that the API deleted): status written, counted, replaced on the next pass. */
    private void collectEndedPods(Job job, JobRun run) {
        for (PodRun pr : new ArrayList<>(run.pods.values())) {
            if (deletedPodUids.contains(pr.uid) && !pr.deletedInApi) {
                pr.deletedInApi = true;
                if (pr.kill == PodRun.Kill.NONE) {
                    pr.kill = PodRun.Kill.POD_DELETED;
                    LOG.infof("pod %s/%s deleted: terminating its process", run.namespace, pr.name);
                }
                if (pr.process == null) {
                    run.pods.remove(pr.name);
                    run.failed++;
                    continue;
                }
                runner.terminate(pr);
            }
            if (pr.process != null && pr.process.isDone()) {
                run.pods.remove(pr.name);
                podEnded(job, run, pr);
            }
        }
    }

    private void podEnded(Job job, JobRun run, PodRun pr) {
        PodProcess p = pr.process;
        LOG.infof("pod %s/%s ended: exit code %d%s", run.namespace, pr.name, p.exitCode(),
                pr.kill == PodRun.Kill.NONE ? "" : " (" + pr.kill + ")");
        switch (pr.kill) {
            case NONE -> {
                Pod ended = runner.ended(run.namespace, pr, List.of());
                if (p.exitCode() == 0 && p.startError() == null) {
                    succeeded(run, pr);
                } else if (!run.finished) {
                    podFailed(job, run, ended);
                }
            }
            case EVICTED -> {
                List<PodCondition> disruption = List.of(StatusWriter.cond("DisruptionTarget", "True",
                        "EvictionByEvictionAPI", StatusWriter.now()));
                Pod ended = runner.ended(run.namespace, pr, disruption);
                if (p.exitCode() == 0) {
                    succeeded(run, pr);
                } else if (!run.finished) {
                    podFailed(job, run, ended);
                }
            }
            case POD_DELETED -> {
                // The pod is gone from the API; like the kubelet, its phase is what its container did: a process
                // that exited 0 (its work was done before the SIGTERM landed, or it finished it) succeeded.
                if (p.exitCode() == 0 && p.startError() == null) {
                    succeeded(run, pr);
                } else {
                    run.failed++;
                }
            }
            default -> deletePod(run, pr);
        }
    }

    private static void succeeded(JobRun run, PodRun pr) {
        if (pr.index != null) {
            run.succeededIndexes.add(pr.index);
            run.succeeded = run.succeededIndexes.size();
        } else {
            run.succeeded++;
        }
    }

    /** A failed pod goes through the Job's podFailurePolicy: FailJob, Ignore, or counted towards backoffLimit. */
    private void podFailed(Job job, JobRun run, Pod pod) {
        Optional<PodFailurePolicies.Match> match = PodFailurePolicies.match(job.getSpec().getPodFailurePolicy(), pod);
        String action = match.map(PodFailurePolicies.Match::action).orElse("Count");
        if ("Ignore".equals(action)) {
            return;
        }
        run.failed++;
        if ("FailJob".equals(action)) {
            PodFailurePolicies.Match m = match.get();
            String message = m.exitCode() != null
                    ? String.format("Container %s for pod %s/%s failed with exit code %d matching FailJob rule at index %d",
                    m.containerName(), run.namespace, pod.getMetadata().getName(), m.exitCode(), m.ruleIndex())
                    : String.format("Pod %s/%s has condition matching FailJob rule at index %d", run.namespace,
                    pod.getMetadata().getName(), m.ruleIndex());
            fail(run, "PodFailurePolicy", message, StatusWriter.now());
        }
    }

    private void fail(JobRun run, String reason, String message, String now) {
        LOG.infof("job %s/%s failed: %s", run.namespace, run.name, message);
        run.finished = true;
        run.setCondition("Failed", "True", reason, message, now);
    }

    private static boolean deadlineExceeded(JobSpec spec, JobRun run) {
        Long seconds = spec.getActiveDeadlineSeconds();
        return seconds != null && run.startTime != null
                && Instant.parse(run.startTime).plusSeconds(seconds).isBefore(Instant.now());
    }

    private static boolean complete(JobSpec spec, JobRun run) {
        Integer completions = completions(spec);
        if (completions == null) {
            return run.succeeded > 0 && active(run) == 0;
        }
        if (indexed(spec)) {
            return run.succeededIndexes.size() >= completions;
        }
        return run.succeeded >= completions;
    }

    /**
     * New pods up to parallelism: one per pending index (Indexed), else as many as completions still need. A pod
     * being terminated still holds its place (podReplacementPolicy: Failed), so a replacement never runs beside
     * the process it replaces — two trainers writing one checkpoint.
     */
    private void createPods(Job job, JobRun run, String now) {
        JobSpec spec = job.getSpec();
        int parallelism = spec.getParallelism() == null ? 1 : spec.getParallelism();
        Integer completions = completions(spec);
        if (indexed(spec)) {
            SortedSet<Integer> busy = new TreeSet<>(run.succeededIndexes);
            run.pods.values().forEach(p -> busy.add(p.index));
            for (int i = 0; i < completions && run.pods.size() < parallelism; i++) {
                if (!busy.contains(i)) {
                    createPod(job, run, i, now);
                }
            }
        } else {
            int wanted = completions == null ? (run.succeeded > 0 ? 0 : parallelism)
                    : Math.min(parallelism, completions - run.succeeded);
            while (run.pods.size() < wanted) {
                if (!createPod(job, run, null, now)) {
                    return;
                }
            }
        }
    }

    /**
     * Creates one pod, admitted as the API server would ({@link PodPriorities}); a refusal (e.g. an unknown
     * PriorityClass) is logged once per distinct reason and retried on later passes, as the Job controller does.
     */
    private boolean createPod(Job job, JobRun run, Integer index, String now) {
        try {
            Pod pod = priorities.admit(PodFactory.newPod(job, index, now));
            Pod created = client.pods().inNamespace(run.namespace).resource(pod).create();
            run.pods.put(created.getMetadata().getName(), new PodRun(created, index, ++podsCreated));
            run.createError = null;
            return true;
        } catch (KubernetesClientException | IllegalArgumentException e) {
            if (!e.getMessage().equals(run.createError)) {
                LOG.warnf("job %s/%s: cannot create a pod: %s", run.namespace, run.name, e.getMessage());
                run.createError = e.getMessage();
            }
            return false;
        }
    }

    /** Ends every pod still active: SIGTERM to running ones, pending ones deleted at once. */
    private void killAll(JobRun run, PodRun.Kill why) {
        for (PodRun pr : new ArrayList<>(run.pods.values())) {
            if (pr.kill != PodRun.Kill.NONE) {
                continue;
            }
            pr.kill = why;
            if (pr.process == null) {
                run.pods.remove(pr.name);
                deletePod(run, pr);
            } else {
                LOG.infof("pod %s/%s: SIGTERM (%s)", run.namespace, pr.name, why);
                runner.terminate(pr);
            }
        }
    }

    /** The Job was deleted: its processes get SIGTERM, its pods go once they ended. */
    private void jobGone(JobRun run) {
        killAll(run, PodRun.Kill.JOB_DELETED);
        for (PodRun pr : new ArrayList<>(run.pods.values())) {
            if (pr.process == null || pr.process.isDone()) {
                run.pods.remove(pr.name);
                deletePod(run, pr);
            }
        }
        if (run.pods.isEmpty()) {
            runs.remove(run.uid);
        }
    }

    // ---- status and API writes ----

    private void writeJobStatus(Job job, JobRun run) {
        int active = active(run);
        int terminating = (int) run.pods.values().stream().filter(p -> p.kill != PodRun.Kill.NONE).count();
        int ready = (int) run.pods.values().stream().filter(p -> p.kill == PodRun.Kill.NONE && p.running()).count();
        JobStatus status = new JobStatusBuilder()
                .withActive(active == 0 ? null : active)
                .withReady(ready)
                .withTerminating(terminating)
                .withSucceeded(run.succeeded == 0 ? null : run.succeeded)
                .withFailed(run.failed == 0 ? null : run.failed)
                .withCompletedIndexes(indexed(job.getSpec()) && !run.succeededIndexes.isEmpty()
                        ? IndexRanges.format(run.succeededIndexes) : null)
                .withStartTime(run.startTime)
                .withCompletionTime(run.completionTime)
                .withConditions(run.conditions.isEmpty() ? null : new ArrayList<>(run.conditions))
                .build();
        if (status.equals(run.lastWritten)) {
            return;
        }
        try {
            statusWriter.writeJobStatus(run.namespace, run.name, status);
            run.lastWritten = status;
        } catch (KubernetesClientException e) {
            LOG.debugf("job %s/%s: status not written (%s); next pass retries", run.namespace, run.name, e.getMessage());
        }
    }

    private void deletePod(JobRun run, PodRun pr) {
        if (pr.deletedInApi) {
            return;
        }
        pr.deletedInApi = true;
        try {
            client.pods().inNamespace(run.namespace).withName(pr.name).delete();
        } catch (KubernetesClientException e) {
            LOG.debugf("pod %s/%s: not deleted: %s", run.namespace, pr.name, e.getMessage());
        }
    }

    // ---- adoption after a restart ----

    /**
     * The record of a Job first seen: counts and conditions from its status (so a restarted executor goes on where
     * the last one stopped), and its pods left Pending/Running by a previous executor marked Failed with a
     * DisruptionTarget condition, then judged by the pod failure policy.
     */
    private JobRun adopt(Job job) {
        JobRun run = new JobRun(job.getMetadata().getNamespace(), job.getMetadata().getName(), job.getMetadata().getUid());
        JobStatus s = job.getStatus();
        if (s != null) {
            run.succeeded = s.getSucceeded() == null ? 0 : s.getSucceeded();
            run.failed = s.getFailed() == null ? 0 : s.getFailed();
            run.succeededIndexes.addAll(IndexRanges.parse(s.getCompletedIndexes()));
            run.startTime = s.getStartTime();
            run.completionTime = s.getCompletionTime();
            if (s.getConditions() != null) {
                run.conditions.addAll(s.getConditions());
            }
            run.finished = run.hasCondition("Complete") || run.hasCondition("Failed");
            run.suspended = run.hasCondition("Suspended");
        }
        for (Pod pod : client.pods().inNamespace(run.namespace).withLabel(PodFactory.CONTROLLER_UID, run.uid).list()
                .getItems()) {
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
                continue;
            }
            Pod failed = runner.lostInRestart(pod);
            if (!run.finished) {
                podFailed(job, run, failed);
            }
        }
        return run;
    }

    // ---- small helpers ----

    private static int active(JobRun run) {
        return (int) run.pods.values().stream().filter(p -> p.kill == PodRun.Kill.NONE).count();
    }

    private static boolean indexed(JobSpec spec) {
        return "Indexed".equals(spec.getCompletionMode());
    }

    /** Kubernetes defaulting: both unset → 1; completions unset with parallelism set → none (work queue). */
    private static Integer completions(JobSpec spec) {
        if (spec.getCompletions() != null) {
            return spec.getCompletions();
        }
        return spec.getParallelism() == null || indexed(spec) ? Integer.valueOf(1) : null;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Any change of a watched object wakes the controller thread; the work happens there. */
    private class Wake<T> implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T obj) {
            wake();
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            wake();
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            wake();
        }
    }
}
