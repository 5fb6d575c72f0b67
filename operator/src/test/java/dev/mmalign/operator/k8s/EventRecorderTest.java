package dev.mmalign.operator.k8s;

import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Events aggregated (count on repeats) and rate-limited per object, against the mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class EventRecorderTest {

    static KubernetesClient client;
    static KubernetesMockServer server;

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private final TestClock clock = new TestClock();
    private EventRecorder recorder;

    @BeforeEach
    void setUp() throws InterruptedException {
        client.v1().events().inNamespace("ns").delete();
        recorder = new EventRecorder(client, clock, 5, Duration.ofMinutes(5));
        requests();
    }

    /** The requests the server received since the last call, as "METHOD path". */
    private static List<String> requests() throws InterruptedException {
        List<String> out = new java.util.ArrayList<>();
        io.fabric8.mockwebserver.http.RecordedRequest r;
        while ((r = server.takeRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
            out.add(r.getMethod() + " " + r.getPath());
        }
        return out;
    }

    private static AlignmentRun run(String name) {
        AlignmentRun run = Fixtures.run("ns", name, "ds");
        run.getMetadata().setUid(UUID.randomUUID().toString());
        return run;
    }

    private static List<Event> events(String name) {
        return client.v1().events().inNamespace("ns").list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()))
                .sorted(Comparator.comparing(Event::getReason)).toList();
    }

    /** Guards aggregation: the same event recorded N times is one Event with count N, first and last timestamps. */
    @Test
    void aRepeatedEventIsOneEventWithItsCount() throws InterruptedException {
        AlignmentRun run = run("dpo");
        for (int i = 0; i < 4; i++) {
            recorder.record(run, "Warning", "BackoffLimitExceeded", "stage train: exit code 1");
            clock.now = clock.now.plusSeconds(10);
        }
        // One request per occurrence: a create, then merge patches (no reads, which the operator's RBAC lacks).
        assertEquals(List.of("POST", "PATCH", "PATCH", "PATCH"),
                requests().stream().map(r -> r.substring(0, r.indexOf(' '))).toList());
        List<Event> events = events("dpo");
        assertEquals(1, events.size(), events.toString());
        Event e = events.get(0);
        assertEquals(4, e.getCount());
        assertEquals("2026-01-01T00:00:00Z", e.getFirstTimestamp());
        assertEquals("2026-01-01T00:00:30Z", e.getLastTimestamp());
        assertEquals("Warning", e.getType());
        assertEquals(run.getMetadata().getUid(), e.getInvolvedObject().getUid());

        // A different message (or reason) is a different Event.
        recorder.record(run, "Warning", "BackoffLimitExceeded", "stage train: exit code 2");
        assertEquals(2, events("dpo").size());
    }

    /** Guards the per-object rate limit: past the burst, new Events are dropped and repeats are counted but not sent;
     * once a token is back, the next write carries the whole count. Other objects keep their own budget. */
    @Test
    void aBurstBeyondTheLimitIsDroppedAndCoalesced() throws InterruptedException {
        AlignmentRun noisy = run("noisy");
        for (int i = 0; i < 8; i++) {
            recorder.record(noisy, "Normal", "Reason" + i, "message");
        }
        assertEquals(5, requests().size(), "nothing is sent over the limit");
        assertEquals(List.of("Reason0", "Reason1", "Reason2", "Reason3", "Reason4"),
                events("noisy").stream().map(Event::getReason).toList(), "a burst of 5, the rest dropped");

        // Repeats over the limit are not written...
        recorder.record(noisy, "Normal", "Reason0", "message");
        recorder.record(noisy, "Normal", "Reason0", "message");
        assertEquals(1, events("noisy").stream().filter(e -> e.getReason().equals("Reason0")).findFirst()
                .orElseThrow().getCount());

        // ...another object is not limited by this one's burst...
        recorder.record(run("quiet"), "Normal", "Reason0", "message");
        assertEquals(1, events("quiet").size());

        // ...and after one refill interval the next write carries every occurrence (1 + 2 + this one).
        clock.now = clock.now.plus(Duration.ofMinutes(5));
        recorder.record(noisy, "Normal", "Reason0", "message");
        Event reason0 = events("noisy").stream().filter(e -> e.getReason().equals("Reason0")).findFirst()
                .orElseThrow();
        assertEquals(4, reason0.getCount());
        assertEquals("2026-01-01T00:05:00Z", reason0.getLastTimestamp());
        // One token only: the next one waits again.
        recorder.record(noisy, "Normal", "Reason7", "message");
        assertEquals(5, events("noisy").size());
    }

    /** Guards against losing Events the server expired (their TTL): the repeat creates a new one with the count. */
    @Test
    void anExpiredEventIsCreatedAgain() {
        AlignmentRun run = run("expired");
        recorder.record(run, "Normal", "Training", "step 1");
        client.v1().events().inNamespace("ns").delete();
        recorder.record(run, "Normal", "Training", "step 1");
        List<Event> events = events("expired");
        assertEquals(1, events.size());
        assertEquals(2, events.get(0).getCount());
    }
}
