package dev.mmalign.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards the local API server's watches against kube-apiserver's semantics, read as a streamed HTTP watch (see
 * {@code StreamedWatch}): a watch started at a list's resourceVersion first gets what changed after that list (an
 * object created between an informer's list and its watch was lost before), a watch without one first gets every
 * object as ADDED, a removal has a resourceVersion of its own, an object changed out of a label selector is DELETED
 * for that watch, and a version older than the kept changes ends the watch with 410 Expired.
 */
class ApiServerWatchTest {

    @RegisterExtension
    static final ApiServerPerClass SERVER = ApiServerPerClass.bare();

    /**
     * A watch read as kubectl reads one: a streamed HTTP response, one event per line, each kept as "TYPE name rv".
     * Not the Fabric8 client's websocket: its Vert.x client can drop the frames read between the upgrade and the
     * moment it sets its handlers (see {@code WebSocketCalls}), and in one CI run the first events of a watch never
     * came. The server's watch is the same for both transports (WatchHub); {@code ClientWatchTest} reads both
     * transports with the Fabric8 client.
     */
    private static final class StreamedWatch implements AutoCloseable {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        private final HttpResponse<Stream<String>> response;

        StreamedWatch(String pathAndQuery) throws Exception {
            response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(SERVER.api().url() + pathAndQuery))
                    .build(), HttpResponse.BodyHandlers.ofLines());
            Thread reader = new Thread(this::read, "watch-reader");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try {
                response.body().filter(l -> !l.isBlank()).forEach(line -> {
                    JsonNode event = Serialization.unmarshal(line, JsonNode.class);
                    JsonNode meta = event.path("object").path("metadata");
                    received.add(event.path("type").asText() + " " + meta.path("name").asText() + " "
                            + meta.path("resourceVersion").asText());
                });
            } catch (UncheckedIOException e) {
                // the test closed the stream
            }
        }

        /** The next event (generous wait: a loaded machine); fails when none comes. */
        String next() throws InterruptedException {
            String e = received.poll(60, TimeUnit.SECONDS);
            assertNotNull(e, "no event within 60 s");
            return e;
        }

        @Override
        public void close() {
            response.body().close();
        }
    }

    private static ConfigMap configMap(String ns, String name, String app) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns).addToLabels("app", app)
                .endMetadata().addToData("k", "v").build();
    }

    private static long version(ConfigMap cm) {
        return Long.parseLong(cm.getMetadata().getResourceVersion());
    }

    /** Guards the informer's list-then-watch: changes between the list and the watch are replayed, in order,
     * and nothing from before the list is. */
    @Test
    void watchFromAListsVersionGetsWhatChangedSince() throws Exception {
        var cms = SERVER.client().configMaps().inNamespace("replay");
        cms.resource(configMap("replay", "before", "a")).create();
        String listed = cms.list().getMetadata().getResourceVersion();
        ConfigMap created = cms.resource(configMap("replay", "between", "a")).create();
        ConfigMap changed = cms.withName("before").edit(cm -> {
            cm.getData().put("k", "w");
            return cm;
        });
        cms.withName("between").delete();
        try (StreamedWatch events = new StreamedWatch("/api/v1/namespaces/replay/configmaps?watch=true&resourceVersion="
                + listed)) {
            assertEquals("ADDED between " + version(created), events.next());
            assertEquals("MODIFIED before " + version(changed), events.next());
            String deleted = events.next();
            assertTrue(deleted.startsWith("DELETED between "), deleted);
            long deletedAt = Long.parseLong(deleted.substring(deleted.lastIndexOf(' ') + 1));
            assertTrue(deletedAt > version(changed), "a removal has a version of its own: " + deleted);

            ConfigMap later = cms.resource(configMap("replay", "after", "a")).create();
            assertEquals("ADDED after " + version(later), events.next());
            assertTrue(version(later) > deletedAt, "versions keep increasing after a removal");
            assertNull(events.received.poll(), "nothing else: " + events.received);
        }
    }

    /** Guards a watch without a resourceVersion: it starts with every object as ADDED (kube-apiserver's
     * synthetic events), then changes. */
    @Test
    void watchWithoutAVersionStartsWithEveryObject() throws Exception {
        var cms = SERVER.client().configMaps().inNamespace("fresh");
        cms.resource(configMap("fresh", "one", "a")).create();
        cms.resource(configMap("fresh", "two", "a")).create();
        try (StreamedWatch events = new StreamedWatch("/api/v1/namespaces/fresh/configmaps?watch=true")) {
            List<String> first = new ArrayList<>(List.of(events.next(), events.next()));
            assertTrue(first.get(0).startsWith("ADDED one ") && first.get(1).startsWith("ADDED two "),
                    first.toString());
            cms.withName("two").delete();
            assertTrue(events.next().startsWith("DELETED two "));
        }
    }

    /** Guards label-selected watches: an object whose labels stop matching is DELETED for the watch, one whose
     * labels start to match is ADDED. */
    @Test
    void labelSelectedWatchSeesObjectsLeaveAndEnter() throws Exception {
        var cms = SERVER.client().configMaps().inNamespace("labels");
        cms.resource(configMap("labels", "moving", "a")).create();
        try (StreamedWatch events = new StreamedWatch(
                "/api/v1/namespaces/labels/configmaps?watch=true&labelSelector=app%3Da")) {
            assertTrue(events.next().startsWith("ADDED moving "));
            cms.withName("moving").edit(cm -> {
                cm.getMetadata().getLabels().put("app", "b");
                return cm;
            });
            assertTrue(events.next().startsWith("DELETED moving "));
            cms.withName("moving").edit(cm -> {
                cm.getMetadata().getLabels().put("app", "a");
                return cm;
            });
            assertTrue(events.next().startsWith("ADDED moving "));
        }
    }

    /** Guards the hub's sending: a change goes to the watches of its kind whose selector it matches, and to
     * watches that select no kind; never to watches of another kind. */
    @Test
    void changesGoOnlyToMatchingWatches() {
        WatchHub hub = new WatchHub();
        AttributeSet configMaps = new AttributeSet(new Attribute("plural", "configmaps"));
        List<String> sameKind = new ArrayList<>();
        List<String> otherLabel = new ArrayList<>();
        List<String> otherKind = new ArrayList<>();
        List<String> anyKind = new ArrayList<>();
        hub.open(configMaps, null, List.of(), sameKind::add);
        hub.open(configMaps.add(new Attribute("labels:app", "b")), null, List.of(), otherLabel::add);
        hub.open(new AttributeSet(new Attribute("plural", "secrets")), null, List.of(), otherKind::add);
        hub.open(new AttributeSet(), null, List.of(), anyKind::add);
        AttributeSet object = configMaps.add(new Attribute("name", "cm"), new Attribute("labels:app", "a"));
        hub.publish(new WatchHub.Change(7, null, object, "{\"n\":1}", null));
        String added = "{\"type\":\"ADDED\",\"object\":{\"n\":1}}";
        assertEquals(List.of(added), sameKind);
        assertEquals(List.of(added), anyKind);
        assertTrue(otherLabel.isEmpty() && otherKind.isEmpty(), otherLabel + " " + otherKind);
        assertEquals(4, hub.openWatches());
    }

    /** Guards the kept-changes limit at the hub: a version the log no longer covers gets one ERROR event with
     * 410 Expired (informers then list again), the oldest version it still covers replays what followed, and a
     * resourceVersion that is no number is refused with 400. */
    @Test
    void versionOlderThanTheLogIsExpired() {
        WatchHub hub = new WatchHub(2);
        AttributeSet kind = new AttributeSet(new Attribute("plural", "configmaps"));
        for (int rv = 1; rv <= 4; rv++) {
            AttributeSet object = kind.add(new Attribute("name", "cm" + rv));
            hub.publish(new WatchHub.Change(rv, null, object, "{\"rv\":" + rv + "}", null));
        }
        // The log of 2 keeps the changes at 3 and 4: everything after 2 can be replayed, not everything after 1.
        List<String> gone = new ArrayList<>();
        assertNull(hub.open(kind, "1", List.of(), gone::add));
        assertEquals(1, gone.size(), gone.toString());
        assertTrue(gone.get(0).contains("\"type\":\"ERROR\"") && gone.get(0).contains("\"code\":410")
                && gone.get(0).contains("\"reason\":\"Expired\""), gone.get(0));

        List<String> replayed = new ArrayList<>();
        assertNotNull(hub.open(kind, "2", List.of(), replayed::add));
        assertEquals(List.of("{\"type\":\"ADDED\",\"object\":{\"rv\":3}}",
                "{\"type\":\"ADDED\",\"object\":{\"rv\":4}}"), replayed);

        List<String> invalid = new ArrayList<>();
        assertNull(hub.open(kind, "x1", List.of(), invalid::add));
        assertTrue(invalid.size() == 1 && invalid.get(0).contains("\"code\":400"), invalid.toString());
    }
}
