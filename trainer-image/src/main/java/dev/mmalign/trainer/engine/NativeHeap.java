package dev.mmalign.trainer.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.util.Map;

/**
 * Keeps libtorch's freed CPU tensors in glibc's heap for reuse instead of handing them back to the kernel.
 *
 * <p>Why: libtorch's CPU allocator is plain malloc. With glibc's defaults a tensor over 128 KiB is its own mmap (the
 * threshold then adapts upward) and free heap above twice that threshold is trimmed; a training step of the small
 * models here frees and re-allocates the same few-MiB activations hundreds of times, so each one comes back as fresh
 * pages that the kernel faults in and zeroes. Measured on the quickstart's base training (88 steps, 2 cores): 30 CPU-s
 * with the defaults, 18 with freed memory kept (the kernel's share of the main thread 21 % → 7 %). The same settings
 * by environment ({@code MALLOC_MMAP_THRESHOLD_} and friends) do the same; this applies them from inside so that a
 * plain {@code java -jar} gets them.
 *
 * <p>Cost: the process keeps its high-water mark of tensor memory (below 32 MiB per tensor) instead of returning it,
 * which is what a pod's memory limit must allow anyway. A user or the memory bench that sets any of glibc's malloc
 * variables keeps full control: nothing is changed then. Not glibc (musl, macOS): nothing is changed.
 */
public final class NativeHeap {
    private NativeHeap() {}

    /** What {@link #retainFreedMemory} did. */
    public enum Outcome { APPLIED, SKIPPED_BY_ENVIRONMENT, UNAVAILABLE }

    /** glibc's variables that, when set, mean someone chose the allocator's behaviour. */
    static final String[] MALLOC_VARIABLES = {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_",
            "MALLOC_ARENA_MAX", "GLIBC_TUNABLES"};

    // mallopt parameters, from glibc's malloc.h.
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_THRESHOLD = -3;

    /** glibc's ceiling for M_MMAP_THRESHOLD on 64-bit (4 * 1024 * 1024 * sizeof(long)); larger values are refused. */
    static final int MMAP_THRESHOLD = 32 << 20;
    /** Free heap kept before trimming: above any activation of the models a CPU trains. */
    static final int TRIM_THRESHOLD = 1 << 30;
    /** Extra heap asked for per growth, so growing the heap is rare. */
    static final int TOP_PAD = 64 << 20;

    private interface CLibrary extends Library {
        int mallopt(int param, int value);
    }

    /** Applies the settings unless the environment names any of glibc's malloc variables. */
    public static Outcome retainFreedMemory() {
        return retainFreedMemory(System.getenv());
    }

    static Outcome retainFreedMemory(Map<String, String> environment) {
        for (String name : MALLOC_VARIABLES) {
            if (environment.containsKey(name)) {
                return Outcome.SKIPPED_BY_ENVIRONMENT;
            }
        }
        CLibrary c;
        try {
            c = Native.load("c", CLibrary.class);
        } catch (UnsatisfiedLinkError e) {
            return Outcome.UNAVAILABLE;
        }
        try {
            // mallopt returns 1 on success; a fixed mmap threshold also turns glibc's adaptive threshold off.
            boolean ok = c.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                    & c.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
                    & c.mallopt(M_TOP_PAD, TOP_PAD) == 1;
            return ok ? Outcome.APPLIED : Outcome.UNAVAILABLE;
        } catch (UnsatisfiedLinkError e) {
            return Outcome.UNAVAILABLE;
        }
    }
}
