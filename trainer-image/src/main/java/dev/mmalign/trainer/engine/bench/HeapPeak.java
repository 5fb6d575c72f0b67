package dev.mmalign.trainer.engine.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * Peak Java heap use over a stretch of code, from the JVM's memory pools: reset every heap pool's peak, run, then add
 * the pools' peaks. The sum is an upper bound of the true peak (pools need not peak at once), and it counts garbage not
 * yet collected, so it never flatters.
 */
public final class HeapPeak {
    private HeapPeak() {}

    /** Collects garbage, resets the pools' peaks, and returns the heap in use now (the baseline). */
    public static long start() {
        System.gc();
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
                used += pool.getUsage().getUsed();
            }
        }
        return used;
    }

    /**
     * Heap bytes this thread has allocated so far (HotSpot's per-thread counter), garbage included: the difference
     * over a stretch of code bounds the heap growth that code caused, at byte granularity.
     */
    public static long allocatedByThisThread() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (threads instanceof com.sun.management.ThreadMXBean hotspot) {
            return hotspot.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return 0;
    }

    /** The sum of the heap pools' peak use since {@link #start}. */
    public static long peak() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }
}
