package dev.mmalign.operator.status;

import dev.mmalign.api.common.Progress;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.AlignmentRunStatus;
import dev.mmalign.api.run.RunPhase;
import dev.mmalign.api.run.TrainingMetrics;
import dev.mmalign.operator.k8s.Json;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The status write's merge and conflict handling, against an in-memory API server that checks resourceVersions the
 * way Kubernetes does and lets a "pod" merge-patch its progress at a chosen point: before the reconcile's PUT, between
 * a conflict and the re-read, between the re-read and the next PUT. Whatever the interleaving, the pod's latest
 * progress survives and the operator's own fields are written; with no concurrent write it is one request.
 */
class StatusWriterTest {

    private static final List<String> POD_OWNED = List.of("progress", "metrics");

    /** An API server holding one AlignmentRun; pod writes scheduled before the n-th request (0-based). */
    private static final class FakeServer implements StatusWriter.Server<AlignmentRun> {
        private AlignmentRun stored;
        private long version = 1;
        private final List<String> requests = new ArrayList<>();
        private final Map<Integer, Long> podStepBeforeRequest = new TreeMap<>();
        private boolean deleteBeforeRead;

        FakeServer(AlignmentRunStatus status) {
            stored = new AlignmentRun();
            stored.setMetadata(new ObjectMetaBuilder().withName("r").withNamespace("ns")
                    .withResourceVersion("1").build());
            stored.setStatus(status);
        }

        /** What the reconcile reads: a deep copy, as a cache or GET gives. */
        AlignmentRun copy() {
            return stored == null ? null : Json.convert(Json.convert(stored, Map.class), AlignmentRun.class);
        }

        /** The trainer's reporter: a JSON merge patch of progress (no resourceVersion), bumping the version. */
        void podReports(long step) {
            stored.getStatus().progress = progress(step, 100);
            stored.getMetadata().setResourceVersion(Long.toString(++version));
        }

        private void beforeRequest(String what) {
            Long step = podStepBeforeRequest.remove(requests.size());
            requests.add(what);
            if (step != null) {
                podReports(step);
            }
        }

        @Override
        public AlignmentRun putStatus(AlignmentRun resource) {
            beforeRequest("PUT");
            if (!resource.getMetadata().getResourceVersion().equals(stored.getMetadata().getResourceVersion())) {
                throw new KubernetesClientException("conflict", 409, null);
            }
            stored.setStatus(Json.convert(Json.convert(resource.getStatus(), Map.class), AlignmentRunStatus.class));
            stored.getMetadata().setResourceVersion(Long.toString(++version));
            return copy();
        }

        @Override
        public AlignmentRun read(AlignmentRun resource) {
            beforeRequest("GET");
            if (deleteBeforeRead) {
                stored = null;
            }
            return copy();
        }
    }

    private static Progress progress(long current, long total) {
        Progress p = new Progress();
        p.stage = "train";
        p.current = current;
        p.total = total;
        p.percent = 100.0 * current / total;
        return p;
    }

    private static AlignmentRunStatus training(long step) {
        AlignmentRunStatus s = new AlignmentRunStatus();
        s.phase = RunPhase.Training;
        s.progress = progress(step, 100);
        s.metrics = new TrainingMetrics();
        s.metrics.loss = 0.6;
        return s;
    }

    /** A reconcile of the stored run that moves it to Suspended (an operator-owned field), reading it first. */
    private static AlignmentRun writeSuspended(FakeServer server) {
        AlignmentRun read = server.copy();
        Map<String, Object> asRead = StatusWriter.snapshot(read.getStatus());
        read.getStatus().phase = RunPhase.Suspended;
        return StatusWriter.write(read, asRead, AlignmentRunStatus.class, POD_OWNED, server);
    }

    @Test
    void noConcurrentWriteIsOnePut() {
        FakeServer server = new FakeServer(training(10));
        AlignmentRun written = writeSuspended(server);
        assertEquals(List.of("PUT"), server.requests);
        assertEquals(RunPhase.Suspended, written.getStatus().phase);
        assertEquals(10L, written.getStatus().progress.current);
        assertEquals(0.6, written.getStatus().metrics.loss);
    }

    @Test
    void unchangedStatusSendsNothing() {
        FakeServer server = new FakeServer(training(10));
        AlignmentRun read = server.copy();
        assertNull(StatusWriter.write(read, StatusWriter.snapshot(read.getStatus()), AlignmentRunStatus.class,
                POD_OWNED, server));
        assertEquals(List.of(), server.requests);
    }

    @Test
    void podWriteAfterTheReadConflictsAndIsKept() {
        FakeServer server = new FakeServer(training(10));
        server.podStepBeforeRequest.put(0, 20L); // the pod reports between the reconcile's read and its PUT
        AlignmentRun written = writeSuspended(server);
        assertEquals(List.of("PUT", "GET", "PUT"), server.requests);
        assertEquals(20L, server.stored.getStatus().progress.current, "the pod's progress survives");
        assertEquals(RunPhase.Suspended, server.stored.getStatus().phase, "the operator's phase is written");
        assertEquals(server.stored.getStatus().progress.current, written.getStatus().progress.current);
    }

    @Test
    void podWritesAfterTheReadAndAgainAfterTheReReadAreKept() {
        FakeServer server = new FakeServer(training(10));
        server.podStepBeforeRequest.put(0, 20L);
        server.podStepBeforeRequest.put(2, 30L); // again between the re-read and the second PUT
        writeSuspended(server);
        assertEquals(List.of("PUT", "GET", "PUT", "GET", "PUT"), server.requests);
        assertEquals(30L, server.stored.getStatus().progress.current);
        assertEquals(RunPhase.Suspended, server.stored.getStatus().phase);
    }

    @Test
    void podWriteBetweenConflictAndReReadIsKept() {
        FakeServer server = new FakeServer(training(10));
        server.podStepBeforeRequest.put(0, 20L);
        server.podStepBeforeRequest.put(1, 25L); // lands just before the re-read: the re-read sees it
        writeSuspended(server);
        assertEquals(List.of("PUT", "GET", "PUT"), server.requests);
        assertEquals(25L, server.stored.getStatus().progress.current);
    }

    @Test
    void staleReadOfAnOlderVersionConflictsAndKeepsTheNewerProgress() {
        FakeServer server = new FakeServer(training(10));
        AlignmentRun staleCopy = server.copy(); // e.g. an informer cache behind the server
        server.podReports(40);
        Map<String, Object> asRead = StatusWriter.snapshot(staleCopy.getStatus());
        staleCopy.getStatus().phase = RunPhase.Suspended;
        StatusWriter.write(staleCopy, asRead, AlignmentRunStatus.class, POD_OWNED, server);
        assertEquals(40L, server.stored.getStatus().progress.current);
        assertEquals(RunPhase.Suspended, server.stored.getStatus().phase);
    }

    @Test
    void operatorChangeOfAPodOwnedFieldWinsOverThePodsEntriesItChanged() {
        FakeServer server = new FakeServer(training(10));
        server.podStepBeforeRequest.put(0, 20L);
        AlignmentRun read = server.copy();
        Map<String, Object> asRead = StatusWriter.snapshot(read.getStatus());
        read.getStatus().phase = RunPhase.Succeeded;
        read.getStatus().progress = new Progress();
        read.getStatus().progress.percent = 100.0; // the operator marks the stage done; other entries unset
        StatusWriter.write(read, asRead, AlignmentRunStatus.class, POD_OWNED, server);
        Progress p = server.stored.getStatus().progress;
        assertEquals(100.0, p.percent, "the operator's value");
        assertEquals(20L, p.current, "the pod's latest entry the operator did not set");
        assertEquals(0.6, server.stored.getStatus().metrics.loss);
    }

    @Test
    void resourceDeletedDuringAConflictWritesNothing() {
        FakeServer server = new FakeServer(training(10));
        server.podStepBeforeRequest.put(0, 20L);
        server.deleteBeforeRead = true;
        assertNull(writeSuspended(server));
        assertEquals(List.of("PUT", "GET"), server.requests);
    }

    @Test
    void conflictsWithoutEndGiveUpWithTheConflict() {
        FakeServer server = new FakeServer(training(10));
        for (int i = 0; i < 2 * StatusWriter.MAX_ATTEMPTS; i += 2) {
            server.podStepBeforeRequest.put(i, 11L + i); // a pod write before every PUT
        }
        KubernetesClientException e = assertThrows(KubernetesClientException.class, () -> writeSuspended(server));
        assertEquals(409, e.getCode());
        assertEquals(2 * StatusWriter.MAX_ATTEMPTS - 1, server.requests.size());
    }
}
