package dev.mmalign.local;

import dev.mmalign.api.stage.StagePriority;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Pod priority as a cluster gives it, for local mode's executor: the API server's Priority admission sets a new pod's
 * {@code spec.priority} (and {@code preemptionPolicy}) from the PriorityClass its {@code priorityClassName} names,
 * refuses the pod when no such class exists, and gives a pod without a class the value of the class marked
 * {@code globalDefault} (0 when none is). The executor then starts pending pods by priority, then age, as the
 * scheduler's queue does. Local mode never preempts.
 *
 * <p>{@link #installStageClasses} creates the stage PriorityClasses the Helm chart ships ({@link #CHART_FILE}, the
 * classes of {@link StagePriority}), so that local mode's operator can give them to stage pods as a chart install's
 * does.
 */
final class PodPriorities {

    /** The chart's file of stage PriorityClasses, relative to the repository root. */
    static final String CHART_FILE = "helm/mmalign/files/priority-classes.yaml";

    private final KubernetesClient client;

    PodPriorities(KubernetesClient client) {
        this.client = client;
    }

    /**
     * The pod as the API server admits it: {@code spec.priority} and {@code spec.preemptionPolicy} resolved.
     *
     * @throws IllegalArgumentException when its priorityClassName names no PriorityClass (a cluster refuses to create
     *                                  the pod: the Job controller reports it and tries again later)
     */
    Pod admit(Pod pod) {
        String name = pod.getSpec().getPriorityClassName();
        PriorityClass pc;
        if (name == null || name.isEmpty()) {
            pc = client.resources(PriorityClass.class).list().getItems().stream()
                    .filter(c -> Boolean.TRUE.equals(c.getGlobalDefault())).findFirst().orElse(null);
        } else {
            pc = client.resources(PriorityClass.class).withName(name).get();
            if (pc == null) {
                throw new IllegalArgumentException("no PriorityClass with name " + name + " was found");
            }
        }
        pod.getSpec().setPriority(pc == null ? 0 : pc.getValue());
        pod.getSpec().setPreemptionPolicy(pc == null || pc.getPreemptionPolicy() == null ? "PreemptLowerPriority"
                : pc.getPreemptionPolicy());
        return pod;
    }

    /** A pod's priority as admitted (0 when unset). */
    static int of(Pod pod) {
        Integer p = pod.getSpec() == null ? null : pod.getSpec().getPriority();
        return p == null ? 0 : p;
    }

    /**
     * Creates the chart's stage PriorityClasses that do not exist yet.
     *
     * @return false when the repository has no such file (then the operator must not name the classes)
     */
    static boolean installStageClasses(KubernetesClient client, Path repoRoot) throws IOException {
        Path file = repoRoot.resolve(CHART_FILE);
        if (!Files.isRegularFile(file)) {
            return false;
        }
        for (PriorityClass pc : read(client, file)) {
            if (client.resources(PriorityClass.class).withName(pc.getMetadata().getName()).get() == null) {
                client.resources(PriorityClass.class).resource(pc).create();
            }
        }
        return true;
    }

    static List<PriorityClass> read(KubernetesClient client, Path file) throws IOException {
        List<PriorityClass> classes = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (HasMetadata o : client.load(in).items()) {
                if (!(o instanceof PriorityClass pc)) {
                    throw new IOException(file + ": only PriorityClasses expected, found " + o.getKind());
                }
                classes.add(pc);
            }
        }
        return classes;
    }
}
