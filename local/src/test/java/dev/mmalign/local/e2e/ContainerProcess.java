package dev.mmalign.local.e2e;

import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local process behind a running pod of the local Job executor, found the way a node agent finds a container:
 * by the pod status' container ID ({@code local://<pid>}). What a test does to it is what a node can do to a container:
 * freeze and thaw it (the cgroup freezer, {@code docker pause}), or kill it outright (the OOM killer, a crash).
 */
record ContainerProcess(long pid) {

    private static final String PREFIX = "local://";

    static ContainerProcess of(Pod pod) {
        String id = pod.getStatus().getContainerStatuses().get(0).getContainerID();
        assertTrue(id != null && id.startsWith(PREFIX), "container ID of a local pod: " + id);
        return new ContainerProcess(Long.parseLong(id.substring(PREFIX.length())));
    }

    /** Whether the pod has a running container with an ID yet. */
    static boolean started(Pod pod) {
        return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())
                && pod.getStatus().getContainerStatuses() != null && !pod.getStatus().getContainerStatuses().isEmpty()
                && pod.getStatus().getContainerStatuses().get(0).getContainerID() != null;
    }

    boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** SIGSTOP: the process stays exactly where it is (signals sent meanwhile wait until {@link #thaw}). */
    void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT. */
    void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    /** SIGKILL: no shutdown hook runs, nothing is saved on the way out. */
    void kill() {
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false), "SIGKILL to " + pid);
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertTrue(kill.waitFor(30, TimeUnit.SECONDS), "kill -" + name + " " + pid);
        assertEquals(0, kill.exitValue(), "kill -" + name + " " + pid);
    }
}
