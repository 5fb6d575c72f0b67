package dev.mmalign.trainer.engine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident set size of this process from /proc/self/status (Linux): current (VmRSS) and peak (VmHWM), in KiB. */
public final class Rss {
    private Rss() {}

    public static long currentKiB() {
        return read("VmRSS:");
    }

    public static long peakKiB() {
        return read("VmHWM:");
    }

    /** Resets the peak to the current RSS (Linux ≥ 4.0: write 5 to /proc/self/clear_refs); false if refused. */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static long read(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
