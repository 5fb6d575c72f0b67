package dev.mmalign.local;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes pod and Job status through the status subresource, and builds the pod statuses a kubelet reports.
 *
 * <p>Writes are a JSON Patch that replaces {@code /status} whole: the mock server's JSON merge patch appends to
 * lists (conditions, containerStatuses) instead of replacing them, and an update would need the latest
 * resourceVersion. The executor is the only writer of these statuses, so replacing is safe.
 */
final class StatusWriter {

    private final KubernetesClient client;

    StatusWriter(KubernetesClient client) {
        this.client = client;
    }

    static String now() {
        return format(Instant.now());
    }

    static String format(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    void writeJobStatus(String namespace, String name, JobStatus status) {
        client.batch().v1().jobs().inNamespace(namespace).withName(name).subresource("status")
                .patch(PatchContext.of(PatchType.JSON), replaceStatus(status));
    }

    void writePodStatus(String namespace, String name, PodStatus status) {
        client.pods().inNamespace(namespace).withName(name).subresource("status")
                .patch(PatchContext.of(PatchType.JSON), replaceStatus(status));
    }

    private static String replaceStatus(Object status) {
        ArrayNode patch = Serialization.jsonMapper().createArrayNode();
        ObjectNode op = patch.addObject();
        op.put("op", "add"); // "add" on an existing member replaces it, and also works when there is none
        op.put("path", "/status");
        op.set("value", Serialization.jsonMapper().valueToTree(status));
        return patch.toString();
    }

    /** Phase Running: the container started (and, lacking probes, is ready). */
    static PodStatus running(Pod pod, PodProcess p) {
        String started = format(p.startedAt());
        Container c = pod.getSpec().getContainers().get(0);
        return new PodStatusBuilder().withPhase("Running").withHostIP("127.0.0.1").withPodIP("127.0.0.1")
                .withStartTime(started)
                .withConditions(conditions(started, "True", null, List.of()))
                .withContainerStatuses(new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage())
                        .withImageID("").withContainerID("local://" + p.pid()).withReady(true).withStarted(true)
                        .withRestartCount(0).withNewState().withNewRunning(started).endState().build())
                .build();
    }

    /**
     * Phase Succeeded (exit 0) or Failed, with the container's terminated state (exit code, reason Completed /
     * Error / StartError, termination message) and any extra pod conditions (e.g. DisruptionTarget).
     */
    static PodStatus terminated(Pod pod, PodProcess p, List<PodCondition> extra) {
        int exit = p.exitCode();
        String started = format(p.startedAt());
        String finished = format(p.finishedAt() == null ? Instant.now() : p.finishedAt());
        String reason = p.startError() != null ? "StartError" : exit == 0 ? "Completed" : "Error";
        Container c = pod.getSpec().getContainers().get(0);
        return new PodStatusBuilder().withPhase(exit == 0 ? "Succeeded" : "Failed").withHostIP("127.0.0.1")
                .withPodIP("127.0.0.1").withStartTime(started)
                .withConditions(conditions(finished, "False", "PodCompleted", extra))
                .withContainerStatuses(new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage())
                        .withImageID("").withContainerID("local://" + p.pid()).withReady(false).withStarted(false)
                        .withRestartCount(0).withNewState().withNewTerminated().withExitCode(exit).withReason(reason)
                        .withMessage(emptyToNull(p.terminationMessage())).withStartedAt(started)
                        .withFinishedAt(finished).withContainerID("local://" + p.pid()).endTerminated().endState()
                        .build())
                .build();
    }

    private static List<PodCondition> conditions(String at, String ready, String reason, List<PodCondition> extra) {
        List<PodCondition> out = new ArrayList<>(extra);
        out.add(cond("PodScheduled", "True", null, at));
        out.add(cond("Initialized", "True", null, at));
        out.add(cond("ContainersReady", ready, reason, at));
        out.add(cond("Ready", ready, reason, at));
        return out;
    }

    static PodCondition cond(String type, String status, String reason, String at) {
        return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withLastTransitionTime(at).build();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
