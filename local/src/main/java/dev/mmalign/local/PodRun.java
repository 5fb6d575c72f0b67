package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * The executor's record of one pod it created: the API object and, once a process slot was free, its process. Pending
 * pods get free slots by {@link #priority} (highest first), then {@link #sequence} (oldest first).
 */
final class PodRun {

    /** Why the executor (not the program) ended the pod; NONE while the pod runs or ended on its own. */
    enum Kill { NONE, SUSPEND, JOB_FAILED, JOB_FINISHED, JOB_DELETED, POD_DELETED, EVICTED }

    final String name;
    final String uid;
    final Integer index;
    final Pod pod;
    /** The pod's admitted {@code spec.priority}. */
    final int priority;
    /** The order in which the executor created its pods (the scheduler's queue keeps pods of one priority by age). */
    final long sequence;
    PodProcess process;
    Kill kill = Kill.NONE;
    boolean deletedInApi;

    PodRun(Pod created, Integer index, long sequence) {
        this.name = created.getMetadata().getName();
        this.uid = created.getMetadata().getUid();
        this.index = index;
        this.pod = created;
        this.priority = PodPriorities.of(created);
        this.sequence = sequence;
    }

    /** Whether the pod waits for a process slot: none started yet, and nobody is ending it. */
    boolean pending() {
        return process == null && kill == Kill.NONE;
    }

    boolean running() {
        return process != null && !process.isDone();
    }
}
