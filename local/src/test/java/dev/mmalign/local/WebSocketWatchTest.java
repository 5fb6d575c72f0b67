package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Guards the local API server's websocket watches as the Fabric8 client (the operator's informers) reads them.
 */
class WebSocketWatchTest {

    static EmbeddedApiServer api;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        api = EmbeddedApiServer.start(0);
        client = api.client();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /**
     * Guards one websocket frame per event, as kube-apiserver sends them. Split into frames of 64 KiB (Vert.x's
     * default frame size), an event bigger than that stalled a Fabric8 7.3 websocket watch for good when it was not
     * the watch's first message: the client asks for one more frame after each message, so the rest of the split
     * message was never read (fabric8io/kubernetes-client#7347, fixed in 7.5).
     */
    @Test
    void anEventBiggerThanAFrameReachesTheWatch() throws Exception {
        var cms = client.configMaps().inNamespace("big");
        cms.resource(configMap("small", 10)).create();
        cms.resource(configMap("large", 200 * 1024)).create();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        Watcher<ConfigMap> watcher = new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap cm) {
                received.add(action + " " + cm.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {
                received.add("CLOSED " + (cause == null ? "" : cause.getMessage()));
            }
        };
        try (Watch ignored = cms.watch(new ListOptions(), watcher)) {
            assertEquals("ADDED small", next(received));
            assertEquals("ADDED large", next(received));
            cms.resource(configMap("after", 10)).create();
            assertEquals("ADDED after", next(received), "the watch goes on after the large event");
        }
    }

    /** The next event (generous wait: a loaded machine); fails when none comes. */
    private static String next(BlockingQueue<String> received) throws InterruptedException {
        String e = received.poll(60, TimeUnit.SECONDS);
        assertNotNull(e, "no event within 60 s");
        return e;
    }

    private static ConfigMap configMap(String name, int bytes) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("big").endMetadata()
                .addToData("k", "x".repeat(bytes)).build();
    }
}
