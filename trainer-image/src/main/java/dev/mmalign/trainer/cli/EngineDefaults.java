package dev.mmalign.trainer.cli;

import dev.mmalign.trainer.engine.NativeHeap;

/**
 * DJL settings applied before the engine loads, unless set by the user (-D or environment): never download
 * (the native library ships in lib/), one interop thread, and intra-op threads = cores − 1 (at least 1).
 * Why not all cores: with every core in libtorch's OpenMP pool, any other busy process (GC, data loading, a
 * neighbour's build) stalls every parallel region at its barrier. Measured on the shared 2-core machine
 * (ENGINE.md): 1 thread gave a steady 54 % MFU and 9.6x KV speedup, 2 threads 14-40 % depending on load.
 * Freed tensor memory stays in the process for reuse ({@link NativeHeap}).
 */
public final class EngineDefaults {
    private EngineDefaults() {}

    public static void apply() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(threads));
        NativeHeap.retainFreedMemory();
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
