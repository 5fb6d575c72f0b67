package dev.mmalign.api.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchmarkSpecTest {

    /** Guards the result labels: the noisy-image variant of a benchmark gets its own id unless one is given. */
    @Test
    void effectiveIdNamesTheNoisyVariant() {
        BenchmarkSpec b = new BenchmarkSpec();
        b.name = BenchmarkName.MT_BENCH;
        assertEquals("mt-bench", b.effectiveId());
        b.noisyImage = NoisyImage.RANDOM;
        assertEquals("mt-bench-noisy-random", b.effectiveId());
        b.id = "mt-bench-noise";
        assertEquals("mt-bench-noise", b.effectiveId());
    }

    @Test
    void judgeScoredBenchmarksAreTheOpenEndedOnes() {
        assertTrue(BenchmarkName.MT_BENCH.judgeScored());
        assertTrue(BenchmarkName.MM_VET.judgeScored());
        assertFalse(BenchmarkName.POPE.judgeScored());
        assertFalse(BenchmarkName.MMBENCH.judgeScored());
    }
}
