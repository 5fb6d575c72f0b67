package dev.mmalign.operator.jobs;

import dev.mmalign.api.common.ComputeResources;
import dev.mmalign.api.common.CredentialsSpec;
import dev.mmalign.api.common.JobPolicy;
import dev.mmalign.api.common.JudgeProvider;
import dev.mmalign.api.common.JudgeSpec;
import dev.mmalign.api.common.SecretKeyRef;
import dev.mmalign.api.common.StorageSpec;
import dev.mmalign.api.dataset.AnnotationSpec;
import dev.mmalign.api.dataset.GuideSpec;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.dataset.SamplingEndpointSpec;
import dev.mmalign.api.stage.JudgeWiring;
import dev.mmalign.api.stage.PodContract;
import dev.mmalign.api.stage.SamplingEndpointWiring;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.operator.k8s.Labels;
import dev.mmalign.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stage Job and its pod, as DESIGN.md §4 asks (pure builder, no API server). */
class StageJobBuilderTest {

    private static final TrainerImage IMAGE = new TrainerImage("registry/mmalign-trainer:1", "Always", 1000);

    private static PreferenceDataset owner() {
        PreferenceDataset ds = Fixtures.dataset("ns", "prefs");
        ds.getMetadata().setUid("uid-1");
        return ds;
    }

    private static StageJobRequest request(StageName stage, ComputeResources res, JudgeSpec judge, String queue,
                                           boolean suspend) {
        JobPolicy policy = new JobPolicy();
        policy.backoffLimit = 4;
        policy.activeDeadlineSeconds = 7200L;
        policy.ttlSecondsAfterFinished = 600;
        return StageJobRequest.builder(owner(), stage, "prefs-" + stage + "-1", new StorageSpec("data", "team-a"),
                        "prefs-progress")
                .shards(3).resources(res).jobPolicy(policy).queueName(queue).suspend(suspend).judge(judge).build();
    }

    private static Job build(StageJobRequest req) {
        return new StageJobBuilder(IMAGE).build(req);
    }

    private static Container container(Job job) {
        return job.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static Map<String, String> mounts(Job job) {
        return container(job).getVolumeMounts().stream()
                .collect(java.util.stream.Collectors.toMap(VolumeMount::getName, VolumeMount::getMountPath));
    }

    /** Guards the restricted pod security standard: non-root, read-only root, no capabilities, seccomp, no
     * privilege escalation, and a writable /tmp. */
    @Test
    void podIsRestricted() {
        Job job = build(request(StageName.sample, null, null, null, false));
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        var c = container(job).getSecurityContext();
        assertEquals(Boolean.TRUE, c.getRunAsNonRoot());
        assertEquals(Boolean.TRUE, c.getReadOnlyRootFilesystem());
        assertEquals(Boolean.FALSE, c.getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), c.getCapabilities().getDrop());
        assertEquals("RuntimeDefault", c.getSeccompProfile().getType());
        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
        assertEquals(1000L, pod.getSecurityContext().getRunAsUser());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        assertEquals("/tmp", mounts(job).get("tmp"));
        assertEquals("prefs-progress", pod.getServiceAccountName());
    }

    /** Guards the stage contract: command, stage spec from the ConfigMap, the claim at /data with its subPath, /dev/shm
     * in memory, and the termination message file. */
    @Test
    void podFollowsTheStageContract() {
        Job job = build(request(StageName.annotate, null, null, null, false));
        Container c = container(job);
        assertEquals(List.of("mmalign-trainer", "annotate", "--spec", "/etc/mmalign/stage.json"), c.getCommand());
        assertEquals("registry/mmalign-trainer:1", c.getImage());
        assertEquals("Always", c.getImagePullPolicy());
        assertEquals("/dev/termination-log", c.getTerminationMessagePath());
        Map<String, Volume> volumes = job.getSpec().getTemplate().getSpec().getVolumes().stream()
                .collect(java.util.stream.Collectors.toMap(Volume::getName, v -> v));
        assertEquals("prefs-annotate-1-spec", volumes.get("stage-spec").getConfigMap().getName());
        assertEquals("data", volumes.get("data").getPersistentVolumeClaim().getClaimName());
        assertEquals("Memory", volumes.get("dshm").getEmptyDir().getMedium());
        assertEquals(new Quantity("1Gi"), volumes.get("dshm").getEmptyDir().getSizeLimit());
        VolumeMount data = c.getVolumeMounts().stream().filter(m -> m.getName().equals("data")).findFirst().get();
        assertEquals("/data", data.getMountPath());
        assertEquals("team-a", data.getSubPath());
        assertEquals("/etc/mmalign", mounts(job).get("stage-spec"));
        assertEquals("/dev/shm", mounts(job).get("dshm"));
    }

    /** Guards the Job policy: Indexed with one completion per shard, retries, deadline, TTL, and the podFailurePolicy
     * (exit 2 and 3 fail the Job at once; disruptions are ignored), which needs restartPolicy Never. */
    @Test
    void jobIsIndexedWithFailurePolicy() {
        Job job = build(request(StageName.sample, null, null, null, false));
        var spec = job.getSpec();
        assertEquals("Indexed", spec.getCompletionMode());
        assertEquals(3, spec.getCompletions());
        assertEquals(3, spec.getParallelism());
        assertEquals(4, spec.getBackoffLimit());
        assertEquals(7200L, spec.getActiveDeadlineSeconds());
        assertEquals(600, spec.getTtlSecondsAfterFinished());
        assertEquals(Boolean.FALSE, spec.getSuspend());
        assertEquals("Never", spec.getTemplate().getSpec().getRestartPolicy());
        var rules = spec.getPodFailurePolicy().getRules();
        assertEquals("FailJob", rules.get(0).getAction());
        assertEquals(List.of(2, 3), rules.get(0).getOnExitCodes().getValues());
        assertEquals("stage", rules.get(0).getOnExitCodes().getContainerName());
        assertEquals("Ignore", rules.get(1).getAction());
        assertEquals("DisruptionTarget", rules.get(1).getOnPodConditions().get(0).getType());
    }

    /** Guards resources and placement: GPUs as the extended resource, CPU/memory requests = limits, node selector,
     * tolerations, affinity and priority class. */
    @Test
    void resourcesAndPlacement() {
        ComputeResources res = new ComputeResources();
        res.gpus = 8;
        res.cpu = "16";
        res.memory = "200Gi";
        res.shmSize = "16Gi";
        res.nodeSelector = Map.of("cloud.google.com/gke-accelerator", "nvidia-h100-80gb");
        res.tolerations = List.of(new TolerationBuilder().withKey("nvidia.com/gpu").withOperator("Exists")
                .withEffect("NoSchedule").build());
        res.affinity = new io.fabric8.kubernetes.api.model.AffinityBuilder().withNewNodeAffinity().endNodeAffinity()
                .build();
        res.priorityClassName = "training";
        Job job = build(request(StageName.train, res, null, null, false));
        var r = container(job).getResources();
        assertEquals(new Quantity("8"), r.getLimits().get("nvidia.com/gpu"));
        assertEquals(new Quantity("8"), r.getRequests().get("nvidia.com/gpu"));
        assertEquals(new Quantity("16"), r.getRequests().get("cpu"));
        assertEquals(new Quantity("200Gi"), r.getLimits().get("memory"));
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertEquals(res.nodeSelector, pod.getNodeSelector());
        assertEquals(res.tolerations, pod.getTolerations());
        assertEquals(res.affinity, pod.getAffinity());
        assertEquals("training", pod.getPriorityClassName());
        assertEquals(new Quantity("16Gi"), pod.getVolumes().stream().filter(v -> v.getName().equals("dshm"))
                .findFirst().get().getEmptyDir().getSizeLimit());

        Job cpu = build(request(StageName.build, new ComputeResources(), null, null, false));
        assertFalse(container(cpu).getResources().getLimits().containsKey("nvidia.com/gpu"));
    }

    /**
     * Guards the stage PriorityClasses: with them on, a pod without a class of its own gets its stage's (dataset
     * stages, training, evaluation), and a class the user set wins; with them off (the default, where the cluster may
     * lack the classes) the pod names only what the user set.
     */
    @Test
    void stagePriorityClassUnlessTheUserSetOne() {
        StageJobBuilder withClasses = new StageJobBuilder(new TrainerImage("registry/mmalign-trainer:1", "Always", 1000,
                true));
        Map<StageName, String> expected = Map.of(StageName.sample, "mmalign-dataset",
                StageName.annotate, "mmalign-dataset", StageName.build, "mmalign-dataset",
                StageName.train, "mmalign-training", StageName.evaluate, "mmalign-evaluation");
        for (StageName stage : StageName.values()) {
            Job job = withClasses.build(request(stage, null, null, null, false));
            assertEquals(expected.get(stage), job.getSpec().getTemplate().getSpec().getPriorityClassName(),
                    stage.name());
        }
        ComputeResources own = new ComputeResources();
        own.priorityClassName = "team-urgent";
        assertEquals("team-urgent", withClasses.build(request(StageName.evaluate, own, null, null, false))
                .getSpec().getTemplate().getSpec().getPriorityClassName());

        assertNull(build(request(StageName.train, null, null, null, false)).getSpec().getTemplate().getSpec()
                .getPriorityClassName(), "stage classes are off by default");
    }

    /** Guards Kueue: a queued Job carries the queue label and is created suspended (Kueue admits it); spec.suspend
     * also creates it suspended and marks it as suspended by the operator. */
    @Test
    void kueueAndSuspend() {
        Job queued = build(request(StageName.train, null, null, "gpu-queue", false));
        assertEquals("gpu-queue", queued.getMetadata().getLabels().get(Labels.KUEUE_QUEUE));
        assertEquals(Boolean.TRUE, queued.getSpec().getSuspend());
        assertFalse(queued.getMetadata().getAnnotations().containsKey(Labels.SUSPENDED_BY_OPERATOR));

        Job suspended = build(request(StageName.train, null, null, null, true));
        assertEquals(Boolean.TRUE, suspended.getSpec().getSuspend());
        assertEquals("true", suspended.getMetadata().getAnnotations().get(Labels.SUSPENDED_BY_OPERATOR));
        assertFalse(suspended.getMetadata().getLabels().containsKey(Labels.KUEUE_QUEUE));
    }

    /** Guards credential isolation: a judge Secret is mounted only into annotate/evaluate pods, never into the
     * others even when handed a judge. */
    @Test
    void judgeCredentialsOnlyInJudgePods() {
        JudgeSpec judge = new JudgeSpec();
        judge.provider = JudgeProvider.VERTEX_GEMINI;
        judge.credentials = new CredentialsSpec();
        judge.credentials.secretRef = new SecretKeyRef();
        judge.credentials.secretRef.name = "vertex-key";
        judge.credentials.secretRef.key = "key.json";

        Job annotate = build(request(StageName.annotate, null, judge, null, false));
        assertEquals("/var/run/secrets/mmalign/judge", mounts(annotate).get("judge-credentials"));
        var env = container(annotate).getEnv().stream()
                .filter(e -> e.getValue() != null).collect(java.util.stream.Collectors.toMap(e -> e.getName(),
                        e -> e.getValue()));
        assertEquals("/var/run/secrets/mmalign/judge/key.json", env.get("GOOGLE_APPLICATION_CREDENTIALS"));
        assertFalse(env.containsKey(JudgeWiring.ENV_API_KEY_FILE), "a Vertex key is not an API key");
        assertEquals(0400, annotate.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals("judge-credentials")).findFirst().get().getSecret().getDefaultMode());

        for (StageName stage : List.of(StageName.sample, StageName.build, StageName.train)) {
            Job job = build(request(stage, null, judge, null, false));
            assertNull(mounts(job).get("judge-credentials"), stage.name());
            assertTrue(container(job).getEnv().stream().noneMatch(e -> e.getName().contains("CREDENTIALS")),
                    stage.name());
        }
    }

    /** Guards the OpenAI-compatible judge's key (the variable the trainer reads, not a name of the operator's own) and
     * the labelling guide: mounted from its ConfigMap (that key only) into the annotate pod, named by the variable
     * the trainer reads; an evaluate pod of the same judge gets the key but no guide. */
    @Test
    void openAiKeyAndGuideReachTheAnnotatePod() {
        AnnotationSpec judge = new AnnotationSpec();
        judge.provider = JudgeProvider.OPENAI_COMPATIBLE;
        judge.credentials = new CredentialsSpec();
        judge.credentials.secretRef = new SecretKeyRef();
        judge.credentials.secretRef.name = "judge-api-key";
        judge.credentials.secretRef.key = "api-key";
        judge.guide = new GuideSpec();
        judge.guide.configMapName = "team-guide";
        judge.guide.key = "guide.md";

        Job annotate = build(request(StageName.annotate, null, judge, null, false));
        Map<String, String> env = plainEnv(annotate);
        assertEquals("/var/run/secrets/mmalign/judge/api-key", env.get("MMALIGN_JUDGE_API_KEY_FILE"));
        assertFalse(env.containsKey("GOOGLE_APPLICATION_CREDENTIALS"));
        assertEquals("/etc/mmalign-guide", mounts(annotate).get("judge-guide"));
        assertEquals("/etc/mmalign-guide/guide.md", env.get("MMALIGN_JUDGE_GUIDE_FILE"));
        var guideVolume = annotate.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals("judge-guide")).findFirst().orElseThrow().getConfigMap();
        assertEquals("team-guide", guideVolume.getName());
        assertEquals(List.of("guide.md"), guideVolume.getItems().stream().map(i -> i.getKey()).toList());

        Job evaluate = build(request(StageName.evaluate, null, judge, null, false));
        assertEquals("/var/run/secrets/mmalign/judge/api-key", plainEnv(evaluate).get("MMALIGN_JUDGE_API_KEY_FILE"));
        assertNull(mounts(evaluate).get("judge-guide"));
        assertFalse(plainEnv(evaluate).containsKey("MMALIGN_JUDGE_GUIDE_FILE"));
    }

    /** Guards the sampling endpoint's API key (sampling.endpoint.apiKeySecret): mounted read-only, that key only, into
     * sample pods at the contract's folder and named by the variable the trainer reads; never into any other pod. */
    @Test
    void samplingEndpointKeyOnlyInSamplePods() {
        SamplingEndpointSpec endpoint = new SamplingEndpointSpec();
        endpoint.url = "http://vllm.inference:8000/v1";
        endpoint.model = "llava-hf/llava-1.5-13b-hf";
        endpoint.apiKeySecret = new SecretKeyRef();
        endpoint.apiKeySecret.name = "vllm-api-key";
        endpoint.apiKeySecret.key = "token";

        Job sample = build(StageJobRequest.builder(owner(), StageName.sample, "prefs-sample-1",
                new StorageSpec("data", null), "prefs-progress").samplingEndpoint(endpoint).build());
        assertEquals(PodContract.SAMPLING_CREDENTIALS_DIR, mounts(sample).get("sampling-credentials"));
        assertEquals("/var/run/secrets/mmalign/sampling/token",
                plainEnv(sample).get(SamplingEndpointWiring.ENV_API_KEY_FILE));
        var secret = sample.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals("sampling-credentials")).findFirst().orElseThrow().getSecret();
        assertEquals("vllm-api-key", secret.getSecretName());
        assertEquals(0400, secret.getDefaultMode());
        assertEquals(List.of("token"), secret.getItems().stream().map(i -> i.getKey()).toList());
        assertTrue(container(sample).getVolumeMounts().stream()
                .filter(m -> m.getName().equals("sampling-credentials")).allMatch(VolumeMount::getReadOnly));

        for (StageName stage : List.of(StageName.annotate, StageName.build, StageName.train, StageName.evaluate)) {
            Job job = build(StageJobRequest.builder(owner(), stage, "prefs-" + stage + "-1",
                    new StorageSpec("data", null), "prefs-progress").samplingEndpoint(endpoint).build());
            assertNull(mounts(job).get("sampling-credentials"), stage.name());
            assertFalse(plainEnv(job).containsKey(SamplingEndpointWiring.ENV_API_KEY_FILE), stage.name());
        }

        endpoint.apiKeySecret = null;
        Job open = build(StageJobRequest.builder(owner(), StageName.sample, "prefs-sample-1",
                new StorageSpec("data", null), "prefs-progress").samplingEndpoint(endpoint).build());
        assertNull(mounts(open).get("sampling-credentials"), "a server without a key mounts nothing");
        assertFalse(plainEnv(open).containsKey(SamplingEndpointWiring.ENV_API_KEY_FILE));
    }

    private static Map<String, String> plainEnv(Job job) {
        return container(job).getEnv().stream().filter(e -> e.getValue() != null)
                .collect(java.util.stream.Collectors.toMap(e -> e.getName(), e -> e.getValue()));
    }

    /** Guards ownership and identification: controller owner reference to the resource, standard labels on Job and
     * pod template. */
    @Test
    void ownerReferenceAndLabels() {
        Job job = build(request(StageName.sample, null, null, null, false));
        var ref = job.getMetadata().getOwnerReferences().get(0);
        assertEquals("PreferenceDataset", ref.getKind());
        assertEquals("uid-1", ref.getUid());
        assertEquals(Boolean.TRUE, ref.getController());
        assertEquals("mmalign.dev/v1alpha1", ref.getApiVersion());
        var podLabels = job.getSpec().getTemplate().getMetadata().getLabels();
        assertEquals("mmalign-operator", podLabels.get("app.kubernetes.io/managed-by"));
        assertEquals("sample", podLabels.get("app.kubernetes.io/component"));
        assertEquals("prefs", podLabels.get(Labels.OWNER_NAME));
        assertEquals("ns", job.getMetadata().getNamespace());
    }
}
