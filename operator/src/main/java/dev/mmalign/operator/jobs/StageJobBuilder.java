package dev.mmalign.operator.jobs;

import dev.mmalign.api.common.ComputeResources;
import dev.mmalign.api.common.JobPolicy;
import dev.mmalign.api.common.JudgeSpec;
import dev.mmalign.api.dataset.AnnotationSpec;
import dev.mmalign.api.dataset.GuideSpec;
import dev.mmalign.api.dataset.SamplingEndpointSpec;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.JudgeWiring;
import dev.mmalign.api.stage.SamplingEndpointWiring;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StagePriority;
import dev.mmalign.api.stage.PodContract;
import dev.mmalign.operator.k8s.Labels;
import dev.mmalign.operator.k8s.Owners;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the batch/v1 Job of one stage (pure: no API calls). The pod follows the contract of {@link PodContract}
 * (DESIGN.md §4): stage spec from a ConfigMap, the claim at the storage root, accelerators, placement, /dev/shm, a
 * restricted security context, judge credentials and guide only for judge stages ({@link JudgeWiring}), a sampling
 * endpoint's API key only for sample pods ({@link SamplingEndpointWiring}), Kueue label, podFailurePolicy.
 */
public final class StageJobBuilder {

    private final TrainerImage image;

    public StageJobBuilder(TrainerImage image) {
        this.image = image;
    }

    public Job build(StageJobRequest req) {
        JobPolicy policy = req.jobPolicy() != null ? req.jobPolicy() : new JobPolicy();
        Map<String, String> labels = Labels.forChild(req.owner(), req.stageLabel());
        labels.put(Labels.STAGE, req.stage().name());
        Map<String, String> jobLabels = new LinkedHashMap<>(labels);
        if (req.queueName() != null) {
            jobLabels.put(Labels.KUEUE_QUEUE, req.queueName());
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        if (req.suspend()) {
            annotations.put(Labels.SUSPENDED_BY_OPERATOR, "true");
        }
        return new JobBuilder()
                .withNewMetadata()
                    .withName(req.jobName())
                    .withNamespace(req.owner().getMetadata().getNamespace())
                    .withLabels(jobLabels)
                    .withAnnotations(annotations)
                    .withOwnerReferences(Owners.controllerReference(req.owner()))
                .endMetadata()
                .withNewSpec()
                    // Always Indexed: every pod learns its shard from JOB_COMPLETION_INDEX, 0 when not sharded.
                    .withCompletionMode("Indexed")
                    .withCompletions(req.shards())
                    .withParallelism(req.shards())
                    .withBackoffLimit(policy.backoffLimit)
                    .withActiveDeadlineSeconds(policy.activeDeadlineSeconds)
                    .withTtlSecondsAfterFinished(policy.ttlSecondsAfterFinished)
                    // Kueue admits a queued Job by unsuspending it; spec.suspend holds it too.
                    .withSuspend(req.suspend() || req.queueName() != null)
                    .withPodFailurePolicy(podFailurePolicy())
                    .withNewTemplate()
                        .withNewMetadata().withLabels(labels).endMetadata()
                        .withSpec(podSpec(req))
                    .endTemplate()
                .endSpec()
                .build();
    }

    /** Exit 2 and 3 are permanent: fail the Job at once. Disruptions (preemption, drain) do not use up retries. */
    static PodFailurePolicy podFailurePolicy() {
        return new PodFailurePolicyBuilder()
                .addNewRule()
                    .withAction("FailJob")
                    .withNewOnExitCodes()
                        .withContainerName(PodContract.CONTAINER)
                        .withOperator("In")
                        .withValues(ExitCodes.INVALID_INPUT, ExitCodes.BUDGET_EXHAUSTED)
                    .endOnExitCodes()
                .endRule()
                .addNewRule()
                    .withAction("Ignore")
                    .addNewOnPodCondition().withType("DisruptionTarget").withStatus("True").endOnPodCondition()
                .endRule()
                .build();
    }

    PodSpec podSpec(StageJobRequest req) {
        ComputeResources res = req.resources() != null ? req.resources() : new ComputeResources();
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();

        volumes.add(new VolumeBuilder().withName("stage-spec")
                .withNewConfigMap().withName(req.configMapName()).endConfigMap().build());
        mounts.add(new VolumeMountBuilder().withName("stage-spec").withMountPath(PodContract.SPEC_DIR)
                .withReadOnly(true).build());

        volumes.add(new VolumeBuilder().withName("data")
                .withNewPersistentVolumeClaim().withClaimName(req.storage().claimName).endPersistentVolumeClaim()
                .build());
        String subPath = req.storage().subPath == null ? "" : req.storage().subPath;
        mounts.add(new VolumeMountBuilder().withName("data").withMountPath(PodContract.STORAGE_ROOT)
                .withSubPath(subPath.isEmpty() ? null : subPath).build());

        // Data loaders and NCCL need a larger /dev/shm than the container runtime's 64 MiB.
        volumes.add(new VolumeBuilder().withName("dshm")
                .withNewEmptyDir().withMedium("Memory").withSizeLimit(new Quantity(res.shmSize != null ? res.shmSize : "1Gi"))
                .endEmptyDir().build());
        mounts.add(new VolumeMountBuilder().withName("dshm").withMountPath(PodContract.SHM_DIR).build());

        // The root filesystem is read-only; /tmp is the one scratch place (JVM, native library extraction).
        volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
        mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath(PodContract.TMP_DIR).build());

        List<EnvVar> env = new ArrayList<>();
        env.add(fieldRef(PodContract.ENV_POD_NAME, "metadata.name"));
        env.add(fieldRef(PodContract.ENV_POD_NAMESPACE, "metadata.namespace"));
        env.add(envVar(PodContract.ENV_STAGE_SPEC, PodContract.SPEC_FILE));
        env.add(envVar(PodContract.ENV_HOME, PodContract.TMP_DIR));
        if (req.usesJudge() && req.judge() != null) {
            judgeWiring(req.judge(), req.stage() == StageName.annotate, volumes, mounts, env);
        }
        if (req.stage() == StageName.sample && req.samplingEndpoint() != null) {
            samplingEndpointWiring(req.samplingEndpoint(), volumes, mounts, env);
        }

        Container container = new ContainerBuilder()
                .withName(PodContract.CONTAINER)
                .withImage(image.image())
                .withImagePullPolicy(image.pullPolicy())
                .withCommand(PodContract.COMMAND, req.stage().name(), PodContract.SPEC_OPTION, PodContract.SPEC_FILE)
                .withEnv(env)
                .withVolumeMounts(mounts)
                .withResources(resources(res))
                .withTerminationMessagePath(PodContract.TERMINATION_LOG)
                .withTerminationMessagePolicy("File")
                .withNewSecurityContext()
                    .withRunAsNonRoot(true)
                    .withReadOnlyRootFilesystem(true)
                    .withAllowPrivilegeEscalation(false)
                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                    .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .build();

        return new PodSpecBuilder()
                .withRestartPolicy("Never") // required by podFailurePolicy; retries are new pods
                .withServiceAccountName(req.serviceAccount())
                .withAutomountServiceAccountToken(true) // the progress reporter patches status with it
                .withContainers(container)
                .withVolumes(volumes)
                .withNodeSelector(res.nodeSelector)
                .withTolerations(res.tolerations)
                .withAffinity(res.affinity)
                .withPriorityClassName(priorityClassName(req.stage(), res))
                .withNewSecurityContext()
                    .withRunAsNonRoot(true)
                    .withRunAsUser(image.runAsUser())
                    .withRunAsGroup(image.runAsUser())
                    .withFsGroup(image.runAsUser())
                    .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .build();
    }

    /**
     * The user's {@code resources.priorityClassName}; unset, the stage's class when the operator uses stage classes
     * ({@link StagePriority}: dataset stages before trainings before evaluations), else none.
     */
    String priorityClassName(StageName stage, ComputeResources res) {
        if (res.priorityClassName != null && !res.priorityClassName.isEmpty()) {
            return res.priorityClassName;
        }
        return image.stagePriorityClasses() ? StagePriority.of(stage).className() : null;
    }

    static io.fabric8.kubernetes.api.model.ResourceRequirements resources(ComputeResources res) {
        Map<String, Quantity> requests = new LinkedHashMap<>();
        Map<String, Quantity> limits = new LinkedHashMap<>();
        if (res.cpu != null) {
            requests.put("cpu", new Quantity(res.cpu));
            limits.put("cpu", new Quantity(res.cpu));
        }
        if (res.memory != null) {
            requests.put("memory", new Quantity(res.memory));
            limits.put("memory", new Quantity(res.memory));
        }
        if (res.gpus != null && res.gpus > 0) {
            // Extended resources must have request == limit; the limit alone implies the request.
            String name = res.gpuResourceName != null ? res.gpuResourceName : "nvidia.com/gpu";
            requests.put(name, new Quantity(String.valueOf(res.gpus)));
            limits.put(name, new Quantity(String.valueOf(res.gpus)));
        }
        return new ResourceRequirementsBuilder().withRequests(requests).withLimits(limits).build();
    }

    /**
     * The judge's credentials and labelling guide, as {@link JudgeWiring} lays them out: a credential Secret mounted
     * read-only with the provider's variable naming its file, and an annotation guide ConfigMap mounted with
     * {@link JudgeWiring#ENV_GUIDE_FILE} naming its file (annotate pods only). Workload Identity needs neither (the ServiceAccount carries
     * it).
     */
    static void judgeWiring(JudgeSpec judge, boolean annotates, List<Volume> volumes, List<VolumeMount> mounts,
                            List<EnvVar> env) {
        String fileEnv = JudgeWiring.credentialFileEnv(judge.provider);
        if (fileEnv != null && judge.credentials != null && judge.credentials.secretRef != null) {
            var ref = judge.credentials.secretRef;
            volumes.add(new VolumeBuilder().withName("judge-credentials")
                    .withNewSecret().withSecretName(ref.name).withDefaultMode(0400).endSecret().build());
            mounts.add(new VolumeMountBuilder().withName("judge-credentials")
                    .withMountPath(PodContract.CREDENTIALS_DIR).withReadOnly(true).build());
            env.add(envVar(fileEnv, JudgeWiring.credentialFile(ref)));
        }
        if (annotates && judge instanceof AnnotationSpec annotation && annotation.guide != null) {
            GuideSpec guide = annotation.guide;
            // Only the guide's key is projected: the ConfigMap may hold other keys the pod has no business reading.
            volumes.add(new VolumeBuilder().withName("judge-guide")
                    .withNewConfigMap().withName(guide.configMapName)
                        .addNewItem().withKey(guide.key).withPath(guide.key).endItem()
                    .endConfigMap().build());
            mounts.add(new VolumeMountBuilder().withName("judge-guide").withMountPath(PodContract.GUIDE_DIR)
                    .withReadOnly(true).build());
            env.add(envVar(JudgeWiring.ENV_GUIDE_FILE, JudgeWiring.guideFile(guide)));
        }
    }

    /**
     * A sampling endpoint's API key, as {@link SamplingEndpointWiring} lays it out: the Secret mounted read-only (only
     * its key projected) with {@link SamplingEndpointWiring#ENV_API_KEY_FILE} naming its file. Sample pods only.
     */
    static void samplingEndpointWiring(SamplingEndpointSpec endpoint, List<Volume> volumes, List<VolumeMount> mounts,
                                       List<EnvVar> env) {
        if (endpoint.apiKeySecret == null) {
            return;
        }
        var ref = endpoint.apiKeySecret;
        volumes.add(new VolumeBuilder().withName("sampling-credentials")
                .withNewSecret().withSecretName(ref.name).withDefaultMode(0400)
                    .addNewItem().withKey(ref.key).withPath(ref.key).endItem()
                .endSecret().build());
        mounts.add(new VolumeMountBuilder().withName("sampling-credentials")
                .withMountPath(PodContract.SAMPLING_CREDENTIALS_DIR).withReadOnly(true).build());
        env.add(envVar(SamplingEndpointWiring.ENV_API_KEY_FILE, SamplingEndpointWiring.apiKeyFile(ref)));
    }

    private static EnvVar envVar(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static EnvVar fieldRef(String name, String path) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewFieldRef().withFieldPath(path)
                .endFieldRef().endValueFrom().build();
    }
}
