package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.Pod;

/** The executor's record of one pod it created: the API object and, once a process slot was free, its process. */
final class PodRun {

    /** Why the executor (not the program) ended the pod; NONE while the pod runs or ended on its own. */
    enum Kill { NONE, SUSPEND, JOB_FAILED, JOB_FINISHED, JOB_DELETED, POD_DELETED, EVICTED }

    final String name;
    final String uid;
    final Integer index;
    final Pod pod;
    PodProcess process;
    Kill kill = Kill.NONE;
    boolean deletedInApi;

    PodRun(Pod created, Integer index) {
        this.name = created.getMetadata().getName();
        this.uid = created.getMetadata().getUid();
        this.index = index;
        this.pod = created;
    }

    boolean running() {
        return process != null && !process.isDone();
    }
}
