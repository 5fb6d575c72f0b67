package dev.mmalign.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Guards that local mode's tests run on the Vert.x and netty that {@code mmalign-local.jar} ships. The trainer jar,
 * declared so the reactor builds it first, names {@code trainer-image/target/lib} in its manifest Class-Path; on the
 * tests' class path (as in the reactor's {@code verify}) it brought the trainer's older Vert.x and netty, which came
 * first, and a test passed or failed on versions local mode never runs (the pom keeps that jar off it).
 */
class TestClassPathTest {

    @Test
    void vertxAndNettyAreOnTheClassPathOnce() throws IOException {
        for (String resource : List.of("io/vertx/core/Vertx.class", "io/netty/util/Version.class",
                "io/netty/handler/codec/http/websocketx/WebSocket08FrameEncoder.class")) {
            List<URL> copies = Collections.list(getClass().getClassLoader().getResources(resource));
            assertEquals(1, copies.size(), resource + " on the test class path: " + copies);
        }
    }
}
