package dev.mmalign.api.plan;

import java.util.List;
import java.util.Locale;

/**
 * Predicted peak GPU memory of one device, as a breakdown whose items add up to the peak.
 *
 * @param title what was planned (e.g. "DPO train step, 8 pairs per device")
 * @param items the terms of the peak, in bytes
 * @param notes assumptions a reader needs to judge the figure
 */
public record MemoryPlan(String title, List<Item> items, double gpuMemoryGiB, List<String> notes) {
    public static final double GIB = 1024.0 * 1024 * 1024;

    /** One term of the peak: a name, its bytes and how it was computed. */
    public record Item(String name, long bytes, String detail) {}

    public MemoryPlan {
        items = List.copyOf(items);
        notes = List.copyOf(notes);
    }

    public long peakBytes() {
        return items.stream().mapToLong(Item::bytes).sum();
    }

    public double peakGiB() {
        return peakBytes() / GIB;
    }

    public boolean fits() {
        return peakBytes() <= gpuMemoryGiB * GIB;
    }

    public long bytesOf(String name) {
        return items.stream().filter(i -> i.name().equals(name)).mapToLong(Item::bytes).sum();
    }

    /** Multi-line breakdown, one item a line, for the plan command and for status messages. */
    public String breakdown() {
        StringBuilder b = new StringBuilder(title).append('\n');
        for (Item i : items) {
            b.append(String.format(Locale.ROOT, "  %-22s %9.2f GiB  %s%n", i.name(), i.bytes() / GIB, i.detail()));
        }
        b.append(String.format(Locale.ROOT, "  %-22s %9.2f GiB  of %.1f GiB per GPU%n", "peak", peakGiB(),
                gpuMemoryGiB));
        return b.toString();
    }

    /** The breakdown on one line (for a Kubernetes condition message). */
    public String oneLine() {
        StringBuilder b = new StringBuilder(title).append(": peak ")
                .append(String.format(Locale.ROOT, "%.1f GiB of %.1f GiB per GPU (", peakGiB(), gpuMemoryGiB));
        for (int k = 0; k < items.size(); k++) {
            b.append(k == 0 ? "" : ", ").append(items.get(k).name())
                    .append(String.format(Locale.ROOT, " %.1f GiB", items.get(k).bytes() / GIB));
        }
        return b.append(')').toString();
    }

    /** The plan command's last line. */
    public String summaryLine() {
        return String.format(Locale.ROOT, "plan: gpu_peak_gib=%.2f gpu_memory_gib=%.1f fits=%s", peakGiB(),
                gpuMemoryGiB, fits());
    }
}
