package dev.mmalign.trainer.annotate;

import dev.mmalign.api.common.JudgeSpec;
import dev.mmalign.trainer.judge.Prices;
import dev.mmalign.trainer.judge.ShardShare;
import dev.mmalign.trainer.net.Backoff;
import dev.mmalign.trainer.net.RateLimiter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guards the client-side limits with a fake clock: request spacing, backoff growth and jitter, shard shares, prices. */
class RateLimitAndBackoffTest {

    @Test
    void requestsAreSpacedSixtyOverRpmApartWithoutBursts() throws Exception {
        long[] now = {0};
        List<Long> waits = new ArrayList<>();
        RateLimiter limiter = new RateLimiter(120, () -> now[0], millis -> {
            waits.add(millis);
            now[0] += millis * 1_000_000;
        });
        for (int i = 0; i < 4; i++) limiter.acquire();
        assertEquals(List.of(500L, 500L, 500L), waits, "120 rpm: one start every 500 ms, the first at once");
        now[0] += 10_000_000_000L; // idle for 10 s: no credit is saved up for a burst
        limiter.acquire();
        limiter.acquire();
        assertEquals(List.of(500L, 500L, 500L, 500L), waits);
    }

    @Test
    void backoffDoublesUpToTheCapWithJitterInTheUpperHalf() {
        Backoff backoff = new Backoff(100, 1000, new Random(1));
        for (int retry = 0; retry < 8; retry++) {
            long cap = Math.min(1000, 100L << retry);
            for (int k = 0; k < 20; k++) {
                long d = backoff.delayMillis(retry);
                assertTrue(d >= cap / 2 && d <= cap, "retry " + retry + ": " + d);
            }
        }
    }

    @Test
    void shardsSplitTheRateConcurrencyAndBudget() {
        assertEquals(15.0, ShardShare.requestsPerMinute(60, 4));
        assertEquals(List.of(2, 2, 1), List.of(ShardShare.concurrency(5, 0, 3), ShardShare.concurrency(5, 1, 3),
                ShardShare.concurrency(5, 2, 3)));
        assertEquals(1, ShardShare.concurrency(2, 3, 4), "every shard keeps at least one request in flight");
        assertEquals(2.5, ShardShare.costUsd(10.0, 4));
        assertEquals(null, ShardShare.costUsd(null, 4));
    }

    @Test
    void pricesFromTheSpecWinOverBuiltIns() {
        JudgeSpec spec = new JudgeSpec();
        spec.model = "gemini-2.5-flash";
        assertEquals(0.30 + 2.50, Prices.of(spec).usd(1_000_000, 1_000_000), 1e-9);
        spec.inputPricePerMillionTokens = 1.0;
        assertEquals(1.0 + 2.50, Prices.of(spec).usd(1_000_000, 1_000_000), 1e-9);
        spec.model = "unknown-model";
        spec.inputPricePerMillionTokens = null;
        assertEquals(0.0, Prices.of(spec).usd(5, 5));
    }
}
