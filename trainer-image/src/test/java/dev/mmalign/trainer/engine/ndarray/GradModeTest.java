package dev.mmalign.trainer.engine.ndarray;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.engine.Engine;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Guards {@link GradMode}'s scope: the mode it sets holds inside, and the thread's previous mode comes back when the
 * scope ends — nested, on a failure, and on pool threads whose own default differs from the caller's.
 */
class GradModeTest {

    @BeforeAll
    static void loadEngine() {
        Engine.getEngine("PyTorch"); // the native library behind the switch
    }

    @Test
    void nestedScopesRestoreEachPreviousMode() {
        try (GradMode on = GradMode.set(true)) {
            assertTrue(GradMode.isOn());
            try (GradMode off = GradMode.set(false)) {
                assertFalse(GradMode.isOn());
                assertTrue(off.before());
            }
            assertTrue(GradMode.isOn(), "the inner scope restores the outer one's mode");
        }
    }

    @Test
    void aFailureInsideTheScopeStillRestoresTheMode() {
        boolean start = GradMode.isOn();
        assertThrows(IllegalStateException.class, () -> {
            try (GradMode flipped = GradMode.set(!start)) {
                assertEquals(!start, GradMode.isOn());
                throw new IllegalStateException("boom");
            }
        });
        assertEquals(start, GradMode.isOn());
    }

    @Test
    void theModeIsPerThread() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (GradMode off = GradMode.set(false)) {
            boolean poolDefault = pool.submit(GradMode::isOn).get();
            assertTrue(poolDefault, "libtorch turns recording on in every new thread");
            boolean poolInScope = pool.submit(() -> {
                try (GradMode scoped = GradMode.set(false)) {
                    return GradMode.isOn();
                }
            }).get();
            assertFalse(poolInScope);
            assertTrue(pool.submit(GradMode::isOn).get(), "the pool thread's own mode is back after its scope");
            assertFalse(GradMode.isOn(), "the caller's scope is untouched by the pool thread's");
        } finally {
            pool.shutdownNow();
        }
    }
}
