package dev.mmalign.operator.k8s;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Records core/v1 Events on a resource (what `kubectl describe` shows), the way Kubernetes' own event recorder
 * (client-go's EventCorrelator) does:
 * <ul>
 *   <li>aggregated: a repeat of the same type, reason and message on the same object updates the one Event it created
 *       ({@code count}, {@code lastTimestamp}) instead of creating another;</li>
 *   <li>rate-limited per object: a token bucket of {@link #BURST} writes (creates or updates) that refills one token
 *       every {@link #REFILL}. A write beyond it is not sent; the occurrence is still counted, and the next write of
 *       that Event (once a token is back) carries the whole count, so repeats are coalesced, never lost from the
 *       count. A new Event over the limit is dropped until it recurs with a token available.</li>
 * </ul>
 * Memory is bounded: at most {@link #MAX_TRACKED} Events and objects are remembered (least recently used go first;
 * a forgotten Event that recurs starts a new one, as in client-go). Failing to record an Event never fails a
 * reconcile.
 */
@ApplicationScoped
public class EventRecorder {

    /** client-go's defaults (EventSourceObjectSpamFilter): a burst of 25, then one per 5 minutes, per object. */
    static final int BURST = 25;
    static final Duration REFILL = Duration.ofMinutes(5);
    /** client-go's maxLruCacheEntries. */
    static final int MAX_TRACKED = 4096;

    private static final Logger LOG = Logger.getLogger(EventRecorder.class);

    private final KubernetesClient client;
    private final Clock clock;
    private final int burst;
    private final Duration refill;
    /** Guarded by this. Events already recorded, by object, type, reason and message. */
    private final Map<String, Recorded> recorded = lru();
    /** Guarded by this. The write budget of each object. */
    private final Map<String, TokenBucket> budgets = lru();

    @Inject
    public EventRecorder(KubernetesClient client) {
        this(client, Clock.systemUTC(), BURST, REFILL);
    }

    EventRecorder(KubernetesClient client, Clock clock, int burst, Duration refill) {
        this.client = client;
        this.clock = clock;
        this.burst = burst;
        this.refill = refill;
    }

    public void record(HasMetadata on, String type, String reason, String message) {
        String text = message.length() > 1024 ? message.substring(0, 1023) + "…" : message;
        Instant now = clock.instant();
        String object = objectKey(on);
        Recorded event;
        boolean write;
        synchronized (this) {
            event = recorded.computeIfAbsent(object + '\u0000' + type + '\u0000' + reason + '\u0000' + text,
                    k -> new Recorded(now));
            event.count++;
            event.last = now;
            write = budgets.computeIfAbsent(object, k -> new TokenBucket(burst, now)).tryTake(now, burst, refill);
        }
        if (!write) {
            LOG.debugf("event %s on %s %s over the rate limit: counted, not sent", reason, on.getKind(),
                    on.getMetadata().getName());
            return;
        }
        // One write at a time per Event, each with the latest count (a write that waited carries the repeats since).
        synchronized (event) {
            int count;
            Instant last;
            synchronized (this) {
                count = event.count;
                last = event.last;
            }
            try {
                if (event.name != null && update(on, event.name, count, last)) {
                    return;
                }
                event.name = create(on, type, reason, text, event.first, count, last);
            } catch (RuntimeException e) {
                LOG.debugf(e, "could not record event %s on %s", reason, on.getMetadata().getName());
            }
        }
    }

    /** Writes the current count and lastTimestamp into the Event; false when it is gone (expired on the server). */
    private boolean update(HasMetadata on, String name, int count, Instant last) {
        // A merge patch of the given fields only: one PATCH request (patching by name would GET the Event first).
        Event patch = new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(on.getMetadata().getNamespace()).endMetadata()
                .withCount(count)
                .withLastTimestamp(Times.format(last))
                .build();
        try {
            client.v1().events().inNamespace(on.getMetadata().getNamespace()).resource(patch)
                    .patch(PatchContext.of(PatchType.JSON_MERGE));
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private String create(HasMetadata on, String type, String reason, String message, Instant first, int count,
                          Instant last) {
        String name = on.getMetadata().getName() + "." + Long.toHexString(System.nanoTime())
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000));
        Event e = new EventBuilder()
                .withNewMetadata()
                    .withName(name)
                    .withNamespace(on.getMetadata().getNamespace())
                .endMetadata()
                .withNewInvolvedObject()
                    .withApiVersion(on.getApiVersion())
                    .withKind(on.getKind())
                    .withName(on.getMetadata().getName())
                    .withNamespace(on.getMetadata().getNamespace())
                    .withUid(on.getMetadata().getUid())
                    .withResourceVersion(on.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .withType(type)
                .withReason(reason)
                .withMessage(message)
                .withFirstTimestamp(Times.format(first))
                .withLastTimestamp(Times.format(last))
                .withCount(count)
                .withNewSource().withComponent(Labels.MANAGER).endSource()
                .withReportingComponent(Labels.MANAGER)
                .build();
        client.v1().events().inNamespace(on.getMetadata().getNamespace()).resource(e).create();
        return name;
    }

    /** The object an Event is about: its uid, or its kind, namespace and name where it has none (not yet stored). */
    private static String objectKey(HasMetadata on) {
        String uid = on.getMetadata().getUid();
        return uid != null ? uid
                : on.getKind() + "/" + on.getMetadata().getNamespace() + "/" + on.getMetadata().getName();
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > MAX_TRACKED;
            }
        };
    }

    /** One aggregated Event: occurrences so far (guarded by the recorder), and the name of the Event object once
     * created (guarded by the Recorded itself). */
    private static final class Recorded {
        final Instant first;
        Instant last;
        int count;
        String name;

        Recorded(Instant first) {
            this.first = first;
            this.last = first;
        }
    }

    /** Writes an object may still make: up to burst, refilled one per refill interval. */
    private static final class TokenBucket {
        double tokens;
        Instant refilled;

        TokenBucket(int burst, Instant now) {
            this.tokens = burst;
            this.refilled = now;
        }

        boolean tryTake(Instant now, int burst, Duration refill) {
            double earned = (double) Duration.between(refilled, now).toNanos() / refill.toNanos();
            if (earned > 0) {
                tokens = Math.min(burst, tokens + earned);
                refilled = now;
            }
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }
}
