package dev.mmalign.trainer.engine;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The allocator settings are applied on glibc and left alone when the user set any of glibc's malloc variables. */
class NativeHeapTest {

    @Test
    void aMallocVariableInTheEnvironmentLeavesTheAllocatorAlone() {
        for (String name : NativeHeap.MALLOC_VARIABLES) {
            assertEquals(NativeHeap.Outcome.SKIPPED_BY_ENVIRONMENT,
                    NativeHeap.retainFreedMemory(Map.of(name, "65536")), name);
        }
    }

    @Test
    void glibcAcceptsTheSettings() {
        // The build and the image run on glibc (Debian); mallopt refuses out-of-range values with 0, which would
        // read UNAVAILABLE here.
        assertEquals(NativeHeap.Outcome.APPLIED, NativeHeap.retainFreedMemory(Map.of()));
    }
}
