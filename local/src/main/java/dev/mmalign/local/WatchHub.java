package dev.mmalign.local;

import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import org.jboss.logging.Logger;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The watches of local mode's API server, as kube-apiserver serves them: each change to the store is one event,
 * turned into its JSON line once and sent as it is to every watch whose selector it matches (the mock server parsed
 * and re-serialised each event once per watch); and a watch started at a resourceVersion first gets the changes
 * made after that version, from a log of the latest {@link #LOG_SIZE} changes, so that nothing changed between a
 * client's list and its watch is lost. A version older than the log gets one ERROR event with a 410 Expired
 * Status, as kube-apiserver does once etcd has compacted it; informers then list again.
 *
 * <p>Locking: {@link #publish} is called with the store's write lock held, {@link #open} with its read lock, so a
 * watch opens between two changes: it replays every change up to the one before and gets every later one live.
 */
final class WatchHub {

    private static final Logger LOG = Logger.getLogger(WatchHub.class);
    /** The key of the watches that select no kind (a ConcurrentHashMap takes no null key). */
    private static final Attribute NO_KIND = new Attribute("mmalign.local/no-kind", "");
    /**
     * Changes kept for watches that start at a resourceVersion: far more than happen between an informer's list
     * and its watch (operator-bench makes about 9 per run), few enough to hold (objects of a few KB each; a
     * change's JSON is the stored object's until the object changes again).
     */
    static final int LOG_SIZE = 5_000;

    /**
     * One change to the store at resourceVersion {@code rv}: the object's attributes and JSON before (null when it
     * was created) and after (null when it was removed; {@code removed} is then its last state, at {@code rv}).
     */
    static final class Change {
        final long rv;
        private final AttributeSet before;
        private final AttributeSet after;
        private final String afterJson;
        private final String removedJson;
        private String added;
        private String modified;
        private String deleted;

        Change(long rv, AttributeSet before, AttributeSet after, String afterJson, String removedJson) {
            this.rv = rv;
            this.before = before;
            this.after = after;
            this.afterJson = afterJson;
            this.removedJson = removedJson;
        }

        /**
         * The event a watch with selector {@code query} gets, or null: MODIFIED when the object matched before and
         * after, ADDED when it matches only now, DELETED when it matched only before (with its new state when it
         * was changed out of the selector, as kube-apiserver sends it). Each line is built once for all watches.
         */
        synchronized String lineFor(AttributeSet query) {
            boolean was = before != null && before.matches(query);
            boolean is = after != null && after.matches(query);
            if (was && is) {
                return modified == null ? modified = line("MODIFIED", afterJson) : modified;
            }
            if (is) {
                return added == null ? added = line("ADDED", afterJson) : added;
            }
            if (was) {
                return deleted == null ? deleted = line("DELETED", after != null ? afterJson : removedJson) : deleted;
            }
            return null;
        }
    }

    /** A watch open now; closing it stops its events. */
    final class Watch implements AutoCloseable {
        private final AttributeSet query;
        private final Attribute kind;
        private final Consumer<String> sink;

        private Watch(AttributeSet query, Consumer<String> sink) {
            this.query = query;
            this.kind = kindOf(query);
            this.sink = sink;
        }

        private void send(String line) {
            try {
                sink.accept(line);
            } catch (RuntimeException e) {
                LOG.debugf(e, "a watch of %s failed; closing it", query);
                close();
            }
        }

        @Override
        public void close() {
            Set<Watch> same = watches.get(kind);
            if (same != null) {
                same.remove(this);
            }
        }
    }

    private final int logSize;
    /** The open watches by the kind (plural attribute) they select; those that select none under NO_KIND. */
    private final Map<Attribute, Set<Watch>> watches = new ConcurrentHashMap<>();
    /** The latest changes, oldest first; read and written only under the store's lock. */
    private final ArrayDeque<Change> log = new ArrayDeque<>();
    /** The resourceVersion of the newest change dropped from the log (0: none dropped). */
    private long droppedUpTo;

    WatchHub() {
        this(LOG_SIZE);
    }

    /** @param logSize how many of the latest changes are kept for watches that start at a resourceVersion */
    WatchHub(int logSize) {
        this.logSize = logSize;
    }

    /** A change made to the store: logged, and sent to every watch it concerns. Call with the write lock held. */
    void publish(Change change) {
        log.addLast(change);
        if (log.size() > logSize) {
            droppedUpTo = Math.max(droppedUpTo, log.removeFirst().rv);
        }
        // Only the watches of the object's kind, and those of no kind, are tested against it: the selectors of a
        // dozen informers per event were a tenth of a create.
        Attribute before = change.before == null ? null : kindOf(change.before);
        Attribute after = change.after == null ? null : kindOf(change.after);
        if (before != null) {
            sendTo(watches.get(before), change);
        }
        if (after != null && !after.equals(before)) {
            sendTo(watches.get(after), change);
        }
        if (!NO_KIND.equals(before) && !NO_KIND.equals(after)) {
            sendTo(watches.get(NO_KIND), change);
        }
    }

    private static void sendTo(Set<Watch> candidates, Change change) {
        if (candidates == null) {
            return;
        }
        for (Watch w : candidates) {
            String line = change.lineFor(w.query);
            if (line != null) {
                w.send(line);
            }
        }
    }

    /** The plural attribute of a set, or {@link #NO_KIND}. */
    private static Attribute kindOf(AttributeSet set) {
        Attribute plural = set.getAttribute(KubernetesAttributesExtractor.PLURAL);
        return plural == null || plural.getType() != AttributeType.WITH ? NO_KIND : plural;
    }

    /**
     * Opens a watch of the objects matching {@code query}. Without a resourceVersion (or "0", "any version") it
     * first gets an ADDED event of each object stored now ({@code current}); from resourceVersion {@code from} it
     * first gets the logged changes after {@code from}. Call with the read lock held.
     *
     * @param from the watch's resourceVersion parameter, or null
     * @return the open watch, or null when {@code from} is too old or not a version (the sink then got one ERROR
     *     event and the caller should end the stream)
     */
    Watch open(AttributeSet query, String from, List<String> current, Consumer<String> sink) {
        Watch watch = new Watch(query, sink);
        if (from == null || from.isEmpty() || "0".equals(from)) {
            for (String object : current) {
                watch.send(line("ADDED", object));
            }
        } else {
            long since;
            try {
                since = Long.parseLong(from);
            } catch (NumberFormatException e) {
                sink.accept(error(400, "BadRequest", "invalid resourceVersion \"" + from + "\""));
                return null;
            }
            if (since < droppedUpTo) {
                sink.accept(error(410, "Expired", "too old resource version: " + since + " (" + droppedUpTo + ")"));
                return null;
            }
            List<String> replay = new ArrayList<>();
            for (Change c : log) {
                String line = c.rv > since ? c.lineFor(query) : null;
                if (line != null) {
                    replay.add(line);
                }
            }
            replay.forEach(watch::send);
        }
        watches.computeIfAbsent(watch.kind, k -> ConcurrentHashMap.newKeySet()).add(watch);
        return watch;
    }

    /** Watches open now. */
    int openWatches() {
        return watches.values().stream().mapToInt(Set::size).sum();
    }

    private static String line(String type, String objectJson) {
        return "{\"type\":\"" + type + "\",\"object\":" + objectJson + "}";
    }

    /** An ERROR event carrying a failure Status, as kube-apiserver ends a watch it cannot serve. */
    static String error(int code, String reason, String message) {
        return "{\"type\":\"ERROR\",\"object\":" + CustomResourceAdmission.status(code, reason, message, null, null,
                List.of()) + "}";
    }
}
