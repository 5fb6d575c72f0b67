package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What the executor knows of one Job (by uid): its pods, the counts and conditions it reports in the Job's status.
 * Only the executor's controller thread touches it.
 */
final class JobRun {

    final String namespace;
    final String name;
    final String uid;
    final Map<String, PodRun> pods = new LinkedHashMap<>();
    final SortedSet<Integer> succeededIndexes = new TreeSet<>();
    final List<JobCondition> conditions = new ArrayList<>();
    int succeeded;
    int failed;
    String startTime;
    String completionTime;
    boolean finished;
    boolean suspended;
    JobStatus lastWritten;
    /** Why the last pod creation was refused (logged once per reason), or null. */
    String createError;

    JobRun(String namespace, String name, String uid) {
        this.namespace = namespace;
        this.name = name;
        this.uid = uid;
    }

    /** Sets a condition; its lastTransitionTime changes only when its status does. */
    void setCondition(String type, String status, String reason, String message, String now) {
        for (int i = 0; i < conditions.size(); i++) {
            JobCondition c = conditions.get(i);
            if (c.getType().equals(type)) {
                String since = status.equals(c.getStatus()) ? c.getLastTransitionTime() : now;
                conditions.set(i, condition(type, status, reason, message, now, since));
                return;
            }
        }
        conditions.add(condition(type, status, reason, message, now, now));
    }

    boolean hasCondition(String type) {
        return conditions.stream().anyMatch(c -> c.getType().equals(type) && "True".equals(c.getStatus()));
    }

    private static JobCondition condition(String type, String status, String reason, String message, String probe,
                                          String transition) {
        return new JobConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastProbeTime(probe).withLastTransitionTime(transition).build();
    }
}
