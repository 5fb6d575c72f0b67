package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Guards the local API server's watches as the Fabric8 client reads them: over a websocket (the operator's
 * informers) and over a streamed HTTP response (a client set to {@code onlyHttpWatches}, and Fabric8's fallback
 * when a websocket cannot be opened).
 */
class ClientWatchTest {

    @RegisterExtension
    static final ApiServerPerClass SERVER = ApiServerPerClass.bare();

    /**
     * Guards one websocket frame per event, as kube-apiserver sends them. Split into frames of 64 KiB (Vert.x's
     * default frame size), an event bigger than that stalled a Fabric8 7.3 websocket watch for good when it was not
     * the watch's first message: the client asks for one more frame after each message, so the rest of the split
     * message was never read (fabric8io/kubernetes-client#7347, fixed in 7.5).
     */
    @Test
    void anEventBiggerThanAFrameReachesTheWatch() throws Exception {
        var cms = SERVER.client().configMaps().inNamespace("big");
        cms.resource(configMap("big", "small", 10)).create();
        cms.resource(configMap("big", "large", 200 * 1024)).create();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (Watch ignored = cms.watch(new ListOptions(), recorder(received))) {
            assertEquals("ADDED small", next(received));
            assertEquals("ADDED large", next(received));
            cms.resource(configMap("big", "after", 10)).create();
            assertEquals("ADDED after", next(received), "the watch goes on after the large event");
        }
    }

    /**
     * Guards the start of a streamed watch: the response head goes out at once (kubectl waits for it) with no body
     * before the first event. A blank line sent to push the head out ended every Fabric8 HTTP watch at once: it reads
     * each line as an event ("Unexpected exception processing watch event").
     */
    @Test
    void anHttpWatchGetsItsFirstEvents() throws Exception {
        var config = SERVER.api().clientConfig();
        config.setOnlyHttpWatches(true);
        try (KubernetesClient http = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config)
                .build()) {
            var cms = http.configMaps().inNamespace("http");
            cms.resource(configMap("http", "one", 10)).create();
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            try (Watch ignored = cms.watch(new ListOptions(), recorder(received))) {
                assertEquals("ADDED one", next(received));
                cms.resource(configMap("http", "two", 10)).create();
                assertEquals("ADDED two", next(received));
            }
        }
    }

    private static Watcher<ConfigMap> recorder(BlockingQueue<String> received) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap cm) {
                received.add(action + " " + cm.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {
                received.add("CLOSED " + (cause == null ? "" : cause.getMessage()));
            }
        };
    }

    /** The next event (generous wait: a loaded machine); fails when none comes. */
    private static String next(BlockingQueue<String> received) throws InterruptedException {
        String e = received.poll(60, TimeUnit.SECONDS);
        assertNotNull(e, "no event within 60 s");
        return e;
    }

    private static ConfigMap configMap(String ns, String name, int bytes) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .addToData("k", "x".repeat(bytes)).build();
    }
}
