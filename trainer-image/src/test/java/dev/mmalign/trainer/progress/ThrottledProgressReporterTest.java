package dev.mmalign.trainer.progress;

import dev.mmalign.api.common.Progress;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Guards the throttle: at most one report per interval, and the latest held-back report arrives on close. */
class ThrottledProgressReporterTest {

    /** A clock the test moves by hand, so no assertion depends on real time. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static Progress at(long current) {
        Progress p = new Progress();
        p.current = current;
        return p;
    }

    @Test
    void forwardsOnePerIntervalAndFlushesTheLatestOnClose() {
        List<Long> sent = new ArrayList<>();
        ManualClock clock = new ManualClock();
        ThrottledProgressReporter r = new ThrottledProgressReporter(p -> sent.add(p.current), Duration.ofSeconds(10),
                clock);
        r.report(at(1));
        clock.now = clock.now.plusSeconds(3);
        r.report(at(2));
        r.report(at(3));
        assertEquals(List.of(1L), sent);
        clock.now = clock.now.plusSeconds(7);
        r.report(at(4));
        assertEquals(List.of(1L, 4L), sent);
        clock.now = clock.now.plusSeconds(1);
        r.report(at(5));
        r.close();
        assertEquals(List.of(1L, 4L, 5L), sent);
    }

    @Test
    void trackerComputesPercentAndEtaFromThisRunsRate() {
        ManualClock clock = new ManualClock();
        List<Progress> sent = new ArrayList<>();
        ProgressTracker t = new ProgressTracker(sent::add, "annotate", "prompts", 100, 50, clock);
        clock.now = clock.now.plusSeconds(10);
        t.advance(10, null);
        Progress p = sent.get(0);
        assertEquals(60L, p.current);
        assertEquals(60.0, p.percent);
        assertEquals(40L, p.etaSeconds, "10 units took 10 s, 40 remain");
    }
}
