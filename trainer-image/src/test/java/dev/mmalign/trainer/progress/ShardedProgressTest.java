package dev.mmalign.trainer.progress;

import dev.mmalign.api.common.Progress;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fold of one shard's report into a sharded stage's progress (pure). */
class ShardedProgressTest {

    private static Progress report(String stage, long current, long total, Long eta) {
        Progress p = new Progress();
        p.stage = stage;
        p.unit = "prompts";
        p.current = current;
        p.total = total;
        p.percent = 100.0 * current / total;
        p.etaSeconds = eta;
        p.updatedAt = "2026-01-01T00:00:00Z";
        return p;
    }

    /** Guards the first reports: the stage total is unknown until every shard reported; percent counts the silent
     * shard as 0; no ETA until every shard has one. */
    @Test
    void aShardThatHasNotReportedCountsAsNothingDone() {
        Progress p = ShardedProgress.merge(null, 1, 2, report("sample", 6, 12, 30L));
        assertEquals("sample", p.stage);
        assertEquals(6L, p.current);
        assertNull(p.total, "shard 0 has not said its total yet");
        assertEquals(25.0, p.percent);
        assertNull(p.etaSeconds);
        assertEquals(Set.of("1"), p.shards.keySet());
        assertEquals(12L, p.shards.get("1").total);
    }

    /** Guards the aggregate once all shards reported: sums, mean of fractions, the slowest shard's ETA. */
    @Test
    void allShardsReportedGivesSumsMeanPercentAndTheSlowestEta() {
        Progress p = ShardedProgress.merge(null, 0, 3, report("sample", 10, 10, null));
        p = ShardedProgress.merge(p, 1, 3, report("sample", 5, 10, 40L));
        p = ShardedProgress.merge(p, 2, 3, report("sample", 2, 8, 90L));
        assertEquals(17L, p.current);
        assertEquals(28L, p.total);
        assertEquals(58.3, p.percent, "(1 + 0.5 + 0.25) / 3");
        assertEquals(90L, p.etaSeconds, "the slowest shard; the finished one counts 0");
        assertEquals(List.of("0", "1", "2"), new ArrayList<>(p.shards.keySet()));
    }

    /**
     * Guards the defect this replaces: with every shard writing the stage's progress, two shards at 90 % and 10 %
     * made it jump between 90 and 10 on every report. Folded, it stays at their mean and only grows.
     */
    @Test
    void interleavedShardsDoNotMakeProgressJump() {
        Progress p = null;
        List<Double> seen = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            p = ShardedProgress.merge(p, 0, 2, report("annotate", 90 + i, 100, 10L));
            seen.add(p.percent);
            p = ShardedProgress.merge(p, 1, 2, report("annotate", 10 + i, 100, 900L));
            seen.add(p.percent);
        }
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) >= seen.get(i - 1), "never goes back: " + seen);
        }
        assertEquals(54.0, p.percent, "(94 + 14) / 2 %");
        assertEquals(108L, p.current);
        assertEquals(900L, p.etaSeconds);
    }

    /** Guards stage changes: another stage's progress (the one before, or its "done" mark) is not merged in, and a
     * message says which shard it is from. */
    @Test
    void anotherStagesProgressStartsAfresh() {
        Progress sample = ShardedProgress.merge(null, 0, 2, report("sample", 12, 12, null));
        sample = ShardedProgress.merge(sample, 1, 2, report("sample", 12, 12, null));
        Progress mine = report("annotate", 3, 20, 50L);
        mine.message = "rate limited";
        Progress annotate = ShardedProgress.merge(sample, 1, 2, mine);
        assertEquals(Set.of("1"), annotate.shards.keySet());
        assertEquals(3L, annotate.current);
        assertEquals("shard 1/2: rate limited", annotate.message);
        assertEquals(Set.of("0"), ShardedProgress.removedShards(sample, annotate));
    }
}
