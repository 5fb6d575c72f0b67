package dev.mmalign.trainer.engine.train;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Guards the DPO loss variants and the LR schedule against values worked out by hand.
 * Pair 1: policy (chosen, rejected) = (-1, -2), reference (-1.5, -1.5) → z = 1.
 * Pair 2: policy (-3, -1), reference (-2, -2) → z = -2. β = 0.1.
 */
class LossesTest {
    static NDManager m;

    @BeforeAll
    static void up() {
        m = NDManager.newBaseManager();
    }

    @AfterAll
    static void down() {
        m.close();
    }

    private static float[] losses(String type, double smoothing) {
        DpoConfig c = DpoConfig.builder()
                .beta(0.1)
                .lossType(DpoConfig.LossType.valueOf(type.toUpperCase(java.util.Locale.ROOT)))
                .labelSmoothing(smoothing)
                .build();
        DpoLoss.Result r = DpoLoss.compute(m.create(new float[] {-1, -3}), m.create(new float[] {-2, -1}),
                m.create(new float[] {-1.5f, -2}), m.create(new float[] {-1.5f, -2}), c);
        return r.losses().toFloatArray();
    }

    @Test
    void sigmoidLossIsMinusLogSigmoidOfBetaZ() {
        // -log σ(0.1) = ln(1 + e^-0.1) = 0.6443967 ; -log σ(-0.2) = ln(1 + e^0.2) = 0.7981389
        assertArrayEquals(new float[] {0.6443967f, 0.7981389f}, losses("sigmoid", 0), 1e-6f);
    }

    @Test
    void labelSmoothingMixesInTheFlippedLabel() {
        // 0.8 · 0.6443967 + 0.2 · ln(1 + e^0.1) = 0.8 · 0.6443967 + 0.2 · 0.7443967 = 0.6643967
        // 0.8 · 0.7981389 + 0.2 · ln(1 + e^-0.2) = 0.8 · 0.7981389 + 0.2 · 0.5981389 = 0.7581389
        assertArrayEquals(new float[] {0.6643967f, 0.7581389f}, losses("sigmoid", 0.2), 1e-6f);
    }

    @Test
    void ipoLossIsSquaredDistanceToHalfInverseBeta() {
        // (1 - 5)² = 16 ; (-2 - 5)² = 49
        assertArrayEquals(new float[] {16f, 49f}, losses("ipo", 0), 1e-4f);
    }

    @Test
    void hingeLossIsReluOfOneMinusBetaZ() {
        // max(0, 1 - 0.1) = 0.9 ; max(0, 1 + 0.2) = 1.2
        assertArrayEquals(new float[] {0.9f, 1.2f}, losses("hinge", 0), 1e-6f);
    }

    @Test
    void rewardsAreBetaTimesPolicyMinusReference() {
        DpoConfig c = DpoConfig.builder().build();
        DpoLoss.Result r = DpoLoss.compute(m.create(new float[] {-1, -3}), m.create(new float[] {-2, -1}),
                m.create(new float[] {-1.5f, -2}), m.create(new float[] {-1.5f, -2}), c);
        assertArrayEquals(new float[] {0.05f, -0.1f}, r.chosenRewards().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {-0.05f, 0.1f}, r.rejectedRewards().toFloatArray(), 1e-6f);
    }

    @Test
    void unknownLossTypeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> losses("kto", 0));
    }

    @Test
    void sigmoidLossGradientPushesChosenUpAndRejectedDown() {
        DpoConfig c = DpoConfig.builder().build();
        NDArray pc = m.create(new float[] {-1f});
        NDArray pr = m.create(new float[] {-2f});
        pc.setRequiresGradient(true);
        pr.setRequiresGradient(true);
        try (var gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            NDArray loss = DpoLoss.compute(pc, pr, m.create(new float[] {-1.5f}), m.create(new float[] {-1.5f}), c)
                    .losses().sum();
            gc.backward(loss);
        }
        // d/dpc softplus(-βz) = -β σ(-βz) = -0.1 · σ(-0.1) = -0.0475021
        assertEquals(-0.0475021f, pc.getGradient().getFloat(), 1e-6f);
        assertEquals(0.0475021f, pr.getGradient().getFloat(), 1e-6f);
    }

    @Test
    void cosineScheduleWarmsUpLinearlyThenDecaysToZero() {
        TrainConfig c = TrainConfig.builder()
                .learningRate(1.0)
                .warmupRatio(0.1)
                .build(); // ceil(0.1 · 20) = 2 warmup steps
        assertEquals(0.5, Schedule.learningRate(c, 0, 20), 1e-12);
        assertEquals(1.0, Schedule.learningRate(c, 1, 20), 1e-12);
        assertEquals(1.0, Schedule.learningRate(c, 2, 20), 1e-12);
        assertEquals(0.5, Schedule.learningRate(c, 11, 20), 1e-12); // halfway through the 18 decay steps
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 17 / 18)), Schedule.learningRate(c, 19, 20), 1e-12);
        c = c.toBuilder().scheduler(TrainConfig.Scheduler.LINEAR).build();
        assertEquals(0.5, Schedule.learningRate(c, 11, 20), 1e-12);
        c = c.toBuilder().scheduler(TrainConfig.Scheduler.CONSTANT).build();
        assertEquals(1.0, Schedule.learningRate(c, 19, 20), 1e-12);
    }
}
