package dev.mmalign.trainer;

/**
 * DJL settings applied before the engine loads, unless set by the user (-D or environment): never download
 * (the native library ships in lib/), and thread counts measured on the 2-core machines (see ENGINE.md).
 */
public final class EngineDefaults {
    private EngineDefaults() {}

    public static void apply() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(Runtime.getRuntime().availableProcessors()));
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
