package dev.mmalign.trainer.progress;

import dev.mmalign.api.common.Progress;
import dev.mmalign.api.common.ShardProgress;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The progress of a sharded stage (pure): one shard's report folded into the stage's progress as last written, so
 * that the stage-level figures always describe all shards. Each shard owns its key ({@code shards["<index>"]}); the
 * figures above are recomputed from every shard's latest report:
 * <ul>
 *   <li>{@code current}: the sum of the shards' current;</li>
 *   <li>{@code total}: the sum of the shards' totals, once every shard has reported (until then unknown);</li>
 *   <li>{@code percent}: the mean of the shards' fractions done, a shard that has not reported counting 0 — so it
 *       only grows, and reaches 100 when every shard is done;</li>
 *   <li>{@code etaSeconds}: the slowest shard's, once every shard has an estimate (a finished shard counts 0);</li>
 *   <li>{@code message}: the reporting shard's, prefixed {@code shard i/n:}.</li>
 * </ul>
 * Progress of another stage (the one before, or the operator's "done" mark of it) is not merged: it starts afresh.
 */
public final class ShardedProgress {

    private ShardedProgress() {}

    public static Progress merge(Progress existing, int index, int count, Progress mine) {
        Map<Integer, ShardProgress> byIndex = new TreeMap<>();
        if (existing != null && existing.shards != null && Objects.equals(existing.stage, mine.stage)) {
            existing.shards.forEach((k, v) -> {
                Integer i = parseIndex(k);
                if (i != null && i < count && v != null) {
                    byIndex.put(i, v);
                }
            });
        }
        byIndex.put(index, shard(mine));

        Progress p = new Progress();
        p.stage = mine.stage;
        p.unit = mine.unit;
        p.epoch = mine.epoch;
        p.updatedAt = mine.updatedAt;
        p.message = mine.message == null ? null : "shard " + index + "/" + count + ": " + mine.message;
        boolean all = byIndex.size() == count;
        long current = 0;
        long total = 0;
        boolean totalsKnown = all;
        double fractions = 0;
        Long eta = all ? 0L : null;
        for (ShardProgress s : byIndex.values()) {
            long c = s.current == null ? 0 : s.current;
            current += c;
            if (s.total == null) {
                totalsKnown = false;
            } else {
                total += s.total;
            }
            fractions += s.total == null ? 0 : s.total == 0 ? 1.0 : Math.min(1.0, (double) c / s.total);
            boolean done = s.total != null && c >= s.total;
            if (eta != null) {
                eta = done ? eta : s.etaSeconds == null ? null : Math.max(eta, s.etaSeconds);
            }
        }
        p.current = current;
        p.total = totalsKnown ? total : null;
        p.percent = Math.round(1000.0 * fractions / count) / 10.0;
        p.etaSeconds = eta;
        Map<String, ShardProgress> shards = new LinkedHashMap<>();
        byIndex.forEach((i, s) -> shards.put(Integer.toString(i), s));
        p.shards = shards;
        return p;
    }

    /** Keys of {@code before}'s shards that {@code after} no longer has (to be removed by a merge patch). */
    public static Set<String> removedShards(Progress before, Progress after) {
        Set<String> gone = new TreeSet<>();
        if (before != null && before.shards != null) {
            gone.addAll(before.shards.keySet());
        }
        if (after != null && after.shards != null) {
            gone.removeAll(after.shards.keySet());
        }
        return gone;
    }

    private static ShardProgress shard(Progress mine) {
        ShardProgress s = new ShardProgress();
        s.current = mine.current;
        s.total = mine.total;
        s.etaSeconds = mine.etaSeconds;
        s.updatedAt = mine.updatedAt;
        return s;
    }

    private static Integer parseIndex(String key) {
        try {
            int i = Integer.parseInt(key);
            return i >= 0 ? i : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
