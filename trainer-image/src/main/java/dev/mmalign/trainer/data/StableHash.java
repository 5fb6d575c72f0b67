package dev.mmalign.trainer.data;

import java.nio.charset.StandardCharsets;

/**
 * A 64-bit hash of (seed, key) that never changes between JVMs, runs or shard layouts (FNV-1a, then a SplitMix64
 * finaliser). Seeds per prompt and per completion, random choices and data-fraction ranks all come from it, which is
 * what makes reruns and reshards reproduce the same data.
 */
public final class StableHash {

    private StableHash() {}

    public static long of(long seed, String key) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
