package dev.mmalign.local;

import dev.mmalign.api.stage.PodContract;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a Job's pods the way the Job controller does: from the pod template, named {@code <job>-<random>} (Indexed:
 * {@code <job>-<index>-<random>}), labelled {@code batch.kubernetes.io/job-name}, {@code job-name},
 * {@code batch.kubernetes.io/controller-uid}, {@code controller-uid} (and for Indexed Jobs
 * {@code batch.kubernetes.io/job-completion-index}, also as an annotation, with {@code JOB_COMPLETION_INDEX} in
 * every container's env from that annotation), owned by the Job (controller reference), scheduled on node
 * "local", phase Pending.
 */
final class PodFactory {

    static final String JOB_NAME = "batch.kubernetes.io/job-name";
    static final String CONTROLLER_UID = "batch.kubernetes.io/controller-uid";
    static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
    static final String NODE_NAME = "local";

    /** The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alikes). */
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private PodFactory() {
    }

    static Pod newPod(Job job, Integer index, String now) {
        String jobName = job.getMetadata().getName();
        String base = index == null ? jobName : jobName + "-" + index;
        if (base.length() > 57) {
            base = base.substring(0, 57);
        }
        String name = base + "-" + suffix();

        ObjectMeta template = job.getSpec().getTemplate().getMetadata();
        Map<String, String> labels = new HashMap<>(template == null || template.getLabels() == null ? Map.of()
                : template.getLabels());
        Map<String, String> annotations = new HashMap<>(template == null || template.getAnnotations() == null
                ? Map.of() : template.getAnnotations());
        labels.put(JOB_NAME, jobName);
        labels.put("job-name", jobName);
        labels.put(CONTROLLER_UID, job.getMetadata().getUid());
        labels.put("controller-uid", job.getMetadata().getUid());
        if (index != null) {
            labels.put(COMPLETION_INDEX, String.valueOf(index));
            annotations.put(COMPLETION_INDEX, String.valueOf(index));
        }

        // A deep copy: the template belongs to the Job object in the informer cache.
        PodSpec spec = Serialization.clone(job.getSpec().getTemplate().getSpec());
        spec.setNodeName(NODE_NAME);
        if (index != null) {
            spec.setHostname(base);
            for (Container c : spec.getContainers()) {
                List<EnvVar> env = new ArrayList<>(c.getEnv() == null ? List.of() : c.getEnv());
                env.removeIf(e -> e.getName().equals(PodContract.ENV_JOB_COMPLETION_INDEX));
                env.add(0, new EnvVarBuilder().withName(PodContract.ENV_JOB_COMPLETION_INDEX)
                        .withNewValueFrom().withNewFieldRef().withFieldPath("metadata.annotations['" + COMPLETION_INDEX + "']").endFieldRef()
                        .endValueFrom().build());
                c.setEnv(env);
            }
        }
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(job.getMetadata().getNamespace())
                .withLabels(labels).withAnnotations(annotations)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                        .withName(jobName).withUid(job.getMetadata().getUid()).withController(true)
                        .withBlockOwnerDeletion(true).build())
                .endMetadata()
                .withSpec(spec)
                .withNewStatus().withPhase("Pending")
                .withConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("True")
                        .withLastTransitionTime(now).build())
                .endStatus()
                .build();
    }

    private static String suffix() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            s.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }
}
