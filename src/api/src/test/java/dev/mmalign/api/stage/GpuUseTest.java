package dev.mmalign.api.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** gpuSeconds counts only GPUs that work: all of train's (data parallel), one for the single-device stages. */
class GpuUseTest {
    @Test
    void trainUsesEveryRequestedGpuOtherStagesAtMostOne() {
        assertEquals(4, GpuUse.working(StageName.train, 4));
        assertEquals(1, GpuUse.working(StageName.sample, 4));
        assertEquals(1, GpuUse.working(StageName.annotate, 2));
        assertEquals(1, GpuUse.working(StageName.evaluate, 8));
        assertEquals(0, GpuUse.working(StageName.build, 1));
        assertEquals(0, GpuUse.working(StageName.evaluate, 0));
        assertEquals(0, GpuUse.working(StageName.train, null));
    }
}
