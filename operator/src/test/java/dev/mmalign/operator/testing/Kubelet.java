package dev.mmalign.operator.testing;

import dev.mmalign.api.stage.PodContract;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.TerminationMessage;
import dev.mmalign.operator.k8s.Labels;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * Plays the Job controller and the kubelet against the mock API server: starts a Job's pods, ends them with an exit
 * code and a termination message, and writes the Job status Kubernetes would write.
 */
public final class Kubelet {

    private final KubernetesClient client;

    public Kubelet(KubernetesClient client) {
        this.client = client;
    }

    /** Waits (generously) for the operator to create the Job. */
    public Job awaitJob(String ns, String name) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.batch().v1().jobs().inNamespace(ns).withName(name).get(), j -> j != null);
    }

    public List<Job> jobs(String ns) {
        return client.batch().v1().jobs().inNamespace(ns).list().getItems();
    }

    public List<Pod> pods(String ns, String job) {
        return client.pods().inNamespace(ns).withLabel(Labels.JOB_NAME, job).list().getItems();
    }

    /** Starts one running pod per completion index and marks them active. */
    public void start(String ns, String jobName) {
        Job job = client.batch().v1().jobs().inNamespace(ns).withName(jobName).get();
        int n = job.getSpec().getCompletions();
        for (int i = 0; i < n; i++) {
            startPod(ns, job, i);
        }
        updateJobStatus(ns, jobName, st -> {
            st.setActive(n);
            st.setStartTime(now(0));
        });
    }

    /** Starts a replacement pod for index {@code index} (the Job controller's retry). */
    public void retry(String ns, String jobName, int index) {
        startPod(ns, client.batch().v1().jobs().inNamespace(ns).withName(jobName).get(), index);
        updateJobStatus(ns, jobName, st -> st.setActive(st.getActive() == null ? 1 : st.getActive() + 1));
    }

    /** Ends the running pod of {@code index} with exit 0 and the result as termination message. */
    public void succeed(String ns, String jobName, int index, StageResult result) {
        terminate(ns, jobName, index, 0, TerminationMessage.encode(result));
        updateJobStatus(ns, jobName, st -> {
            st.setActive(Math.max(0, (st.getActive() == null ? 0 : st.getActive()) - 1));
            st.setSucceeded((st.getSucceeded() == null ? 0 : st.getSucceeded()) + 1);
            Job job = client.batch().v1().jobs().inNamespace(ns).withName(jobName).get();
            if (st.getSucceeded() >= job.getSpec().getCompletions()) {
                st.setCompletionTime(now(60));
                st.setConditions(new ArrayList<>(List.of(new JobConditionBuilder().withType("Complete")
                        .withStatus("True").withReason("CompletionsReached").build())));
            }
        });
    }

    /**
     * Ends the running pod of {@code index} with {@code exitCode}; when {@code jobFailed} the Job fails with
     * {@code reason} (PodFailurePolicy, BackoffLimitExceeded, DeadlineExceeded), else it goes on retrying.
     */
    public void fail(String ns, String jobName, int index, int exitCode, String terminationMessage, boolean jobFailed,
                     String reason) {
        terminate(ns, jobName, index, exitCode, terminationMessage);
        updateJobStatus(ns, jobName, st -> {
            st.setActive(Math.max(0, (st.getActive() == null ? 0 : st.getActive()) - 1));
            st.setFailed((st.getFailed() == null ? 0 : st.getFailed()) + 1);
            if (jobFailed) {
                st.setConditions(new ArrayList<>(List.of(new JobConditionBuilder().withType("Failed")
                        .withStatus("True").withReason(reason).withMessage("Job has failed: " + reason).build())));
            }
        });
    }

    /** What the Job controller does on spec.suspend: pods are deleted, the Job records a Suspended condition. */
    public void suspendPods(String ns, String jobName) {
        for (Pod p : pods(ns, jobName)) {
            if (isRunning(p)) {
                client.pods().inNamespace(ns).withName(p.getMetadata().getName()).delete();
            }
        }
        updateJobStatus(ns, jobName, st -> st.setActive(0));
    }

    private void startPod(String ns, Job job, int index) {
        String jobName = job.getMetadata().getName();
        int attempt = (int) pods(ns, jobName).stream().filter(p -> index == index(p)).count();
        Pod pod = new PodBuilder()
                .withNewMetadata()
                    .withName(jobName + "-" + index + "-" + attempt)
                    .withNamespace(ns)
                    .addToLabels(job.getSpec().getTemplate().getMetadata().getLabels())
                    .addToLabels(Labels.JOB_NAME, jobName)
                    .addToLabels(Labels.COMPLETION_INDEX, String.valueOf(index))
                    .addToAnnotations(Labels.COMPLETION_INDEX, String.valueOf(index))
                .endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec())
                .withNewStatus()
                    .withPhase("Running")
                    .addToContainerStatuses(new ContainerStatusBuilder().withName(PodContract.CONTAINER)
                            .withNewState().withNewRunning().withStartedAt(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
                            .endRunning().endState().build())
                .endStatus()
                .build();
        client.pods().inNamespace(ns).resource(pod).create();
    }

    private void terminate(String ns, String jobName, int index, int exitCode, String message) {
        Pod pod = pods(ns, jobName).stream().filter(p -> index(p) == index && isRunning(p)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no running pod " + index + " of " + jobName));
        // The container ran exactly 60 s, so that accelerator-seconds are exact.
        Instant started = Instant.parse(pod.getStatus().getContainerStatuses().get(0).getState().getRunning()
                .getStartedAt());
        pod.getStatus().setPhase(exitCode == 0 ? "Succeeded" : "Failed");
        pod.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName(PodContract.CONTAINER)
                .withNewState().withNewTerminated().withExitCode(exitCode).withMessage(message)
                .withReason(exitCode == 0 ? "Completed" : "Error")
                .withStartedAt(started.toString()).withFinishedAt(started.plusSeconds(60).toString()).endTerminated().endState().build()));
        client.pods().inNamespace(ns).resource(pod).update();
    }

    private static boolean isRunning(Pod p) {
        return "Running".equals(p.getStatus().getPhase());
    }

    private static int index(Pod p) {
        return Integer.parseInt(p.getMetadata().getLabels().get(Labels.COMPLETION_INDEX));
    }

    /** A time {@code plusSeconds} after a fixed start, so that pod run times are exact. */
    private static String now(int plusSeconds) {
        return START.plusSeconds(plusSeconds).toString();
    }

    private static final Instant START = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);

    private void updateJobStatus(String ns, String jobName, java.util.function.Consumer<JobStatus> change) {
        Job job = client.batch().v1().jobs().inNamespace(ns).withName(jobName).get();
        if (job.getStatus() == null) {
            job.setStatus(new JobStatus());
        }
        change.accept(job.getStatus());
        client.batch().v1().jobs().inNamespace(ns).resource(job).updateStatus();
    }
}
