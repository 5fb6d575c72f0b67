package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The executor against the embedded API server, with {@code sh -c} scripts as the pods' programs. Each test has
 * its own server, executor and work folder; waits are generous (a loaded 2-core machine) and never timed.
 */
class LocalJobExecutorTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = "t";

    @TempDir
    Path workDir;
    EmbeddedApiServer api;
    KubernetesClient client;
    LocalJobExecutor executor;

    @BeforeEach
    void start() {
        api = EmbeddedApiServer.start(0);
        client = api.client();
        executor = new LocalJobExecutor(client,
                LocalExecutorConfig.defaults(TestPaths.repoRoot(), workDir).withMaxProcesses(2));
        executor.start();
    }

    @AfterEach
    void stop() {
        executor.close();
        api.close();
    }

    /**
     * A Job running {@code sh -c script} with the claim "work" mounted at /data. Kubernetes reduces {@code $$} in
     * command and args to {@code $} (escape of {@code $(VAR)}), so the shell's own pid is written {@code $$$$}.
     */
    private static JobBuilder shJob(String name, String script) {
        return new JobBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withBackoffLimit(0).withNewTemplate().withNewSpec().withRestartPolicy("Never")
                .withTerminationGracePeriodSeconds(5L)
                .addNewContainer().withName("main").withImage("ignored").withCommand("sh", "-c", script)
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("work")
                .endPersistentVolumeClaim().endVolume()
                .endSpec().endTemplate().endSpec();
    }

    private Job create(Job job) {
        return client.batch().v1().jobs().inNamespace(NS).resource(job).create();
    }

    private Job job(String name) {
        return client.batch().v1().jobs().inNamespace(NS).withName(name).get();
    }

    private Optional<JobCondition> condition(String jobName, String type) {
        Job j = job(jobName);
        if (j == null || j.getStatus() == null || j.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return j.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals(type) && "True".equals(c.getStatus())).findFirst();
    }

    private List<Pod> pods(String jobName) {
        return client.pods().inNamespace(NS).withLabel(PodFactory.JOB_NAME, jobName).list().getItems();
    }

    private Path data() {
        return executor.claimDir(NS, "work");
    }

    private static String read(Path file) throws Exception {
        return Files.readString(file).trim();
    }

    /**
     * Guards Indexed Jobs end to end: one pod per index with JOB_COMPLETION_INDEX, in-pod paths (/data inside the
     * script, the /etc/mmalign ConfigMap) mapped to local folders, fieldRef env, status Complete with
     * completedIndexes "0-2", pods named and labelled like the Job controller's, one log file per pod.
     */
    @Test
    void indexedJobRunsEveryIndexThroughThePathMap() throws Exception {
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("spec")
                .endMetadata().addToData("stage.json", "{\"stage\":\"sample\"}").build()).create();
        Job job = shJob("indexed", "echo $JOB_COMPLETION_INDEX > /data/out-$JOB_COMPLETION_INDEX"
                + " && cp /etc/mmalign/stage.json /data/spec-$JOB_COMPLETION_INDEX.json"
                + " && echo \"$POD_NAME $MMALIGN_PATH_MAP\" > /data/env-$JOB_COMPLETION_INDEX").build();
        job.getSpec().setCompletions(3);
        job.getSpec().setParallelism(2);
        job.getSpec().setCompletionMode("Indexed");
        var c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        c.getVolumeMounts().add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName("spec")
                .withMountPath("/etc/mmalign").build());
        c.setEnv(List.of(new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName("POD_NAME").withNewValueFrom()
                .withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom().build()));
        job.getSpec().getTemplate().getSpec().getVolumes().add(new io.fabric8.kubernetes.api.model.VolumeBuilder()
                .withName("spec").withNewConfigMap().withName("spec").endConfigMap().build());
        create(job);

        await().atMost(WAIT).until(() -> condition("indexed", "Complete").isPresent()
                || condition("indexed", "Failed").isPresent());
        assertTrue(condition("indexed", "Complete").isPresent(), () -> job("indexed").getStatus().toString());
        Job done = job("indexed");
        assertEquals("0-2", done.getStatus().getCompletedIndexes());
        assertEquals(3, done.getStatus().getSucceeded());
        assertNull(done.getStatus().getFailed());
        assertTrue(done.getStatus().getCompletionTime() != null && done.getStatus().getStartTime() != null);
        for (int i = 0; i < 3; i++) {
            assertEquals(String.valueOf(i), read(data().resolve("out-" + i)));
            assertEquals("{\"stage\":\"sample\"}", read(data().resolve("spec-" + i + ".json")));
            String env = read(data().resolve("env-" + i));
            assertTrue(env.startsWith("indexed-" + i + "-"), env);
            assertTrue(env.contains("/data=" + data()), env);
        }
        List<Pod> pods = pods("indexed");
        assertEquals(3, pods.size());
        Set<String> indexes = pods.stream().map(p -> p.getMetadata().getLabels().get(PodFactory.COMPLETION_INDEX))
                .collect(Collectors.toSet());
        assertEquals(Set.of("0", "1", "2"), indexes);
        for (Pod p : pods) {
            assertEquals("Succeeded", p.getStatus().getPhase());
            assertEquals("Job", p.getMetadata().getOwnerReferences().get(0).getKind());
            assertEquals(0, p.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode());
            assertTrue(Files.exists(executor.logFile(NS, p.getMetadata().getName())));
        }
    }

    /**
     * Guards the permanent-failure contract (stage exit code 2 + podFailurePolicy FailJob): the Job fails at
     * once, without retries, and the pod's termination message reaches its status.
     */
    @Test
    void exitCodeMatchingFailJobFailsTheJobAtOnce() {
        Job job = shJob("invalid", "echo 'prompts.jsonl line 3: bad JSON' > /dev/termination-log; exit 2").build();
        job.getSpec().setBackoffLimit(6);
        job.getSpec().setPodFailurePolicy(new PodFailurePolicyBuilder()
                .addNewRule().withAction("FailJob").withNewOnExitCodes().withOperator("In").withValues(2, 3)
                .endOnExitCodes().endRule()
                .addNewRule().withAction("Ignore").addNewOnPodCondition().withType("DisruptionTarget")
                .withStatus("True").endOnPodCondition().endRule()
                .build());
        create(job);

        await().atMost(WAIT).until(() -> condition("invalid", "Failed").isPresent());
        JobCondition failed = condition("invalid", "Failed").orElseThrow();
        assertEquals("PodFailurePolicy", failed.getReason());
        assertTrue(failed.getMessage().contains("exit code 2"), failed.getMessage());
        assertEquals(1, job("invalid").getStatus().getFailed());
        List<Pod> pods = pods("invalid");
        assertEquals(1, pods.size());
        assertEquals("Failed", pods.get(0).getStatus().getPhase());
        ContainerStateTerminated t = pods.get(0).getStatus().getContainerStatuses().get(0).getState().getTerminated();
        assertEquals(2, t.getExitCode());
        assertEquals("Error", t.getReason());
        assertEquals("prompts.jsonl line 3: bad JSON", t.getMessage().trim());
    }

    /** Guards retries: a failing pod is replaced by a new pod until failures exceed backoffLimit. */
    @Test
    void retryableFailureIsRetriedUntilTheBackoffLimit() {
        Job job = shJob("flaky", "echo attempt >> /data/attempts; exit 1").build();
        job.getSpec().setBackoffLimit(2);
        create(job);

        await().atMost(WAIT).until(() -> condition("flaky", "Failed").isPresent());
        assertEquals("BackoffLimitExceeded", condition("flaky", "Failed").orElseThrow().getReason());
        assertEquals(3, job("flaky").getStatus().getFailed());
        List<Pod> pods = pods("flaky");
        assertEquals(3, pods.size());
        assertTrue(pods.stream().allMatch(p -> "Failed".equals(p.getStatus().getPhase())));
        assertEquals(3, pods.stream().map(p -> p.getMetadata().getName()).distinct().count());
    }

    /**
     * Guards suspend/resume (Kueue, AlignmentRun.spec.suspend): suspending delivers SIGTERM to the running
     * process (its TERM trap runs), the pod goes away uncounted, the Job reports Suspended; resuming starts a
     * new pod.
     */
    @Test
    void suspendSendsSigtermAndResumeStartsANewPod() throws Exception {
        create(shJob("train", "trap 'echo TERM >> /data/terminated; exit 143' TERM; echo $$$$ >> /data/started;"
                + " while true; do sleep 0.2; done").build());
        await().atMost(WAIT).until(() -> Files.exists(data().resolve("started")));
        String firstPod = pods("train").get(0).getMetadata().getName();

        setSuspend("train", true);
        await().atMost(WAIT).until(() -> Files.exists(data().resolve("terminated"))
                && read(data().resolve("terminated")).equals("TERM"));
        await().atMost(WAIT).until(() -> condition("train", "Suspended").isPresent() && pods("train").isEmpty());
        assertNull(job("train").getStatus().getFailed());
        assertNull(job("train").getStatus().getActive());

        setSuspend("train", false);
        await().atMost(WAIT).until(() -> Files.readAllLines(data().resolve("started")).size() == 2);
        await().atMost(WAIT).until(() -> pods("train").size() == 1
                && "Running".equals(pods("train").get(0).getStatus().getPhase()));
        assertNotEquals(firstPod, pods("train").get(0).getMetadata().getName());
        assertFalse(condition("train", "Suspended").isPresent());
    }

    /**
     * Sets spec.suspend with a merge patch, as kubectl patch or Kueue would: a read-modify-write (edit) raced with the
     * executor's own status writes and failed with 409 now and then.
     */
    private void setSuspend(String job, boolean suspend) {
        client.batch().v1().jobs().inNamespace(NS).withName(job)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":" + suspend + "}}");
    }

    /** Guards Job deletion: the pod's process is terminated and the pods are deleted. */
    @Test
    void deletingTheJobTerminatesItsProcess() throws Exception {
        create(shJob("doomed", "echo $$$$ > /data/pid; while true; do sleep 0.2; done").build());
        await().atMost(WAIT).until(() -> Files.exists(data().resolve("pid"))
                && !read(data().resolve("pid")).isEmpty());
        long pid = Long.parseLong(read(data().resolve("pid")));
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));

        client.batch().v1().jobs().inNamespace(NS).withName("doomed").delete();

        await().atMost(WAIT).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        await().atMost(WAIT).until(() -> pods("doomed").isEmpty());
    }

    /** A script that runs until SIGTERM the first time, and succeeds at once on the next attempt (a resumed stage). */
    private static final String RESUMABLE = "if [ -f /data/checkpoint ]; then echo resumed >> /data/runs; exit 0; fi;"
            + " trap 'touch /data/checkpoint; exit 143' TERM; echo first >> /data/runs;"
            + " while true; do sleep 0.2; done";

    /**
     * Guards the disruption contract (preemption / drain): an evicted pod gets SIGTERM and the DisruptionTarget
     * condition; a podFailurePolicy Ignore rule on it keeps the failure off backoffLimit (0 here), and the
     * replacement pod resumes and completes the Job.
     */
    @Test
    void evictedPodIsADisruptionThatAnIgnoreRuleDoesNotCount() throws Exception {
        Job job = shJob("preempted", RESUMABLE).build();
        job.getSpec().setPodFailurePolicy(new PodFailurePolicyBuilder().addNewRule().withAction("Ignore")
                .addNewOnPodCondition().withType("DisruptionTarget").withStatus("True").endOnPodCondition().endRule()
                .build());
        create(job);
        await().atMost(WAIT).until(() -> Files.exists(data().resolve("runs")));
        String first = pods("preempted").get(0).getMetadata().getName();

        assertTrue(executor.evictPod(NS, first));

        await().atMost(WAIT).until(() -> condition("preempted", "Complete").isPresent()
                || condition("preempted", "Failed").isPresent());
        assertTrue(condition("preempted", "Complete").isPresent(), () -> job("preempted").getStatus().toString());
        assertNull(job("preempted").getStatus().getFailed());
        assertEquals(List.of("first", "resumed"), Files.readAllLines(data().resolve("runs")));
        Pod evicted = client.pods().inNamespace(NS).withName(first).get();
        assertEquals("Failed", evicted.getStatus().getPhase());
        assertTrue(evicted.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("DisruptionTarget") && c.getStatus().equals("True")));
    }

    /**
     * Guards "a training pod is killed": deleting a running pod through the API terminates its process, counts one
     * failure, and a new pod resumes and completes the Job.
     */
    @Test
    void deletedPodIsTerminatedCountedAndReplaced() throws Exception {
        create(new JobBuilder(shJob("killed", RESUMABLE).build()).editSpec().withBackoffLimit(1).endSpec().build());
        await().atMost(WAIT).until(() -> Files.exists(data().resolve("runs")));
        String first = pods("killed").get(0).getMetadata().getName();

        client.pods().inNamespace(NS).withName(first).delete();

        await().atMost(WAIT).until(() -> condition("killed", "Complete").isPresent()
                || condition("killed", "Failed").isPresent());
        assertTrue(condition("killed", "Complete").isPresent(), () -> job("killed").getStatus().toString());
        assertEquals(1, job("killed").getStatus().getFailed());
        assertEquals(List.of("first", "resumed"), Files.readAllLines(data().resolve("runs")));
    }

    /**
     * Guards the kubelet's view of a deleted pod whose program still completes: a process that exits 0 after the
     * SIGTERM (it finished its work, as a stage that was done when the signal came does) succeeded — the Job
     * completes without a failure and without a replacement pod, instead of running the stage again.
     */
    @Test
    void deletedPodWhoseProcessExitsZeroSucceeded() throws Exception {
        create(new JobBuilder(shJob("finishing", "trap 'echo done >> /data/finished; exit 0' TERM;"
                + " echo started >> /data/started; while true; do sleep 0.2; done").build())
                .editSpec().withBackoffLimit(3).endSpec().build());
        await().atMost(WAIT).until(() -> Files.exists(data().resolve("started")));
        String pod = pods("finishing").get(0).getMetadata().getName();

        client.pods().inNamespace(NS).withName(pod).delete();

        await().atMost(WAIT).until(() -> condition("finishing", "Complete").isPresent()
                || condition("finishing", "Failed").isPresent());
        assertTrue(condition("finishing", "Complete").isPresent(), () -> job("finishing").getStatus().toString());
        assertEquals(1, job("finishing").getStatus().getSucceeded());
        assertNull(job("finishing").getStatus().getFailed());
        assertEquals(List.of("started"), Files.readAllLines(data().resolve("started")), "no replacement pod");
        assertEquals(List.of("done"), Files.readAllLines(data().resolve("finished")));
    }

    /** Guards activeDeadlineSeconds: a Job running past it fails with DeadlineExceeded and its pod is ended. */
    @Test
    void activeDeadlineFailsTheJob() throws Exception {
        create(new JobBuilder(shJob("slow", "echo $$$$ > /data/slow-pid; while true; do sleep 0.2; done").build())
                .editSpec().withActiveDeadlineSeconds(2L).endSpec().build());
        await().atMost(WAIT).until(() -> condition("slow", "Failed").isPresent());
        assertEquals("DeadlineExceeded", condition("slow", "Failed").orElseThrow().getReason());
        long pid = Long.parseLong(read(data().resolve("slow-pid")));
        await().atMost(WAIT).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    /**
     * Guards pod priority as a cluster gives it: the chart's stage PriorityClasses installed, each pod's
     * {@code spec.priority} resolved from its class at creation, a class that does not exist refuses the pod (its Job
     * gets none), and with one free slot pending pods start by priority, then age — the dataset stage created last
     * before the evaluation created first, a pod without a class (priority 0) last.
     */
    @Test
    void podsStartByTheirPriorityClassThenAge() throws Exception {
        assertTrue(PodPriorities.installStageClasses(client, TestPaths.repoRoot()));
        executor.close();
        // Overtaking off: this is about the queue's order (the unclassed hold pod would be overtaken).
        executor = new LocalJobExecutor(client, LocalExecutorConfig.defaults(TestPaths.repoRoot(), workDir)
                .withMaxProcesses(1).withOvertaking(0));
        executor.start();
        create(shJob("hold", "while [ ! -e /data/go ]; do sleep 0.1; done").build());
        await().atMost(WAIT).until(() -> pods("hold").stream().anyMatch(p -> p.getStatus() != null
                && "Running".equals(p.getStatus().getPhase())));
        for (String[] job : new String[][]{{"evaluation", "mmalign-evaluation"}, {"unclassed", null},
                {"training", "mmalign-training"}, {"dataset", "mmalign-dataset"}, {"missing", "no-such-class"}}) {
            Job j = shJob(job[0], "echo " + job[0] + " >> /data/order").build();
            j.getSpec().getTemplate().getSpec().setPriorityClassName(job[1]);
            create(j);
            if (!"no-such-class".equals(job[1])) {
                await().atMost(WAIT).until(() -> pods(job[0]).size() == 1); // created in this order
            }
        }
        assertEquals(300, pods("dataset").get(0).getSpec().getPriority());
        assertEquals("Never", pods("dataset").get(0).getSpec().getPreemptionPolicy());
        assertEquals(0, pods("unclassed").get(0).getSpec().getPriority());

        Files.createDirectories(data());
        Files.writeString(data().resolve("go"), "");
        for (String name : List.of("hold", "evaluation", "unclassed", "training", "dataset")) {
            await().atMost(WAIT).until(() -> condition(name, "Complete").isPresent());
        }
        assertEquals(List.of("dataset", "training", "evaluation", "unclassed"),
                Files.readAllLines(data().resolve("order")));
        assertTrue(pods("missing").isEmpty(), "a pod naming a missing PriorityClass is refused");
    }

    /**
     * Guards what local mode relies on when it applies the manifests while the claim is prepared and starts the
     * executor afterwards: Jobs that exist before the executor starts get their pods in its first pass, and those
     * start in the scheduler's queue order — the dataset's pod before the evaluation's whose Job is older.
     */
    @Test
    void jobsCreatedBeforeTheExecutorStartsRunByPriority() throws Exception {
        assertTrue(PodPriorities.installStageClasses(client, TestPaths.repoRoot()));
        executor.close();
        for (String[] job : new String[][]{{"evaluation", "mmalign-evaluation"}, {"dataset", "mmalign-dataset"}}) {
            Job j = shJob(job[0], "echo " + job[0] + " >> /data/order").build();
            j.getSpec().getTemplate().getSpec().setPriorityClassName(job[1]);
            create(j);
        }
        executor = new LocalJobExecutor(client, LocalExecutorConfig.defaults(TestPaths.repoRoot(), workDir)
                .withMaxProcesses(1));
        executor.start();
        for (String name : List.of("evaluation", "dataset")) {
            await().atMost(WAIT).until(() -> condition(name, "Complete").isPresent());
        }
        assertEquals(List.of("dataset", "evaluation"), Files.readAllLines(data().resolve("order")));
    }

    /**
     * Guards the process limit of a 2-core machine: with parallelism 4 and maxProcesses 2, never more than two
     * pod processes run at the same time, and all four complete.
     */
    @Test
    void neverRunsMoreProcessesThanTheLimit() throws Exception {
        Job job = shJob("wide", "mkdir -p /data/running; touch /data/running/$$$$;"
                + " n=$(ls /data/running | wc -l); echo $n >> /data/concurrency; sleep 1; rm /data/running/$$$$").build();
        job.getSpec().setParallelism(4);
        job.getSpec().setCompletions(4);
        create(job);
        await().atMost(WAIT).until(() -> condition("wide", "Complete").isPresent()
                || condition("wide", "Failed").isPresent());
        assertTrue(condition("wide", "Complete").isPresent(), () -> job("wide").getStatus().toString());
        List<String> seen = Files.readAllLines(data().resolve("concurrency"));
        assertEquals(4, seen.size());
        assertTrue(seen.stream().mapToInt(s -> Integer.parseInt(s.trim())).max().orElseThrow() <= 2, seen.toString());
    }
}
