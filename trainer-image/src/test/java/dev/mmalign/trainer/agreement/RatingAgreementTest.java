package dev.mmalign.trainer.agreement;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The agreement statistics against values computed by hand on a tiny fixed table. */
class RatingAgreementTest {

    /*
     * item:   1  2  3  4  5
     * human:  0  1  2  2  4
     * judge:  0  2  2  3  3
     *
     * exact match: items 1 and 3 -> 2/5 = 0.4
     * within one:  |diffs| = 0,1,0,1,1 -> 5/5 = 1.0
     *
     * Pearson: mean human = 9/5 = 1.8, mean judge = 10/5 = 2
     *   dh = -1.8, -0.8, 0.2, 0.2, 2.2     dj = -2, 0, 0, 1, 1
     *   Σ dh·dj = 3.6 + 0 + 0 + 0.2 + 2.2 = 6.0
     *   Σ dh²   = 3.24 + 0.64 + 0.04 + 0.04 + 4.84 = 8.8      Σ dj² = 4 + 0 + 0 + 1 + 1 = 6
     *   r = 6 / sqrt(8.8 · 6) = 6 / sqrt(52.8) = 0.825723
     *
     * Spearman with average ranks for ties:
     *   human ranks: 0→1, 1→2, 2,2→(3+4)/2 = 3.5, 4→5          = 1, 2, 3.5, 3.5, 5
     *   judge ranks: 0→1, 2,2→(2+3)/2 = 2.5, 3,3→(4+5)/2 = 4.5  = 1, 2.5, 2.5, 4.5, 4.5
     *   both means 3: dh = -2, -1, 0.5, 0.5, 2     dj = -2, -0.5, -0.5, 1.5, 1.5
     *   Σ dh·dj = 4 + 0.5 - 0.25 + 0.75 + 3 = 8     Σ dh² = 9.5     Σ dj² = 9
     *   rho = 8 / sqrt(85.5) = 0.865181
     *   (the no-ties shortcut 1 - 6·Σd²/(n(n²-1)) = 1 - 6·2.5/120 = 0.875 would be wrong here)
     *
     * confusion[human][judge]: [0][0]=1, [1][2]=1, [2][2]=1, [2][3]=1, [4][3]=1, all else 0.
     */
    @Test
    void matchesTheHandComputationOnASmallTableWithTies() {
        RatingAgreement a = RatingAgreement.of(new int[] {0, 1, 2, 2, 4}, new int[] {0, 2, 2, 3, 3});
        assertEquals(5, a.n());
        assertEquals(0.4, a.exactMatch(), 1e-12);
        assertEquals(1.0, a.withinOne(), 1e-12);
        assertEquals(6 / Math.sqrt(52.8), a.pearson(), 1e-12);
        assertEquals(0.825723, a.pearson(), 1e-6);
        assertEquals(8 / Math.sqrt(85.5), a.spearman(), 1e-12);
        assertEquals(0.865181, a.spearman(), 1e-6);
        assertEquals(List.of(
                List.of(1L, 0L, 0L, 0L, 0L),
                List.of(0L, 0L, 1L, 0L, 0L),
                List.of(0L, 0L, 1L, 1L, 0L),
                List.of(0L, 0L, 0L, 0L, 0L),
                List.of(0L, 0L, 0L, 1L, 0L)), a.confusion());
    }

    @Test
    void averageRanksShareTheMeanOfTheRanksTheTieSpans() {
        assertArrayEquals(new double[] {2.5, 1, 4, 2.5}, RatingAgreement.averageRanks(new double[] {3, 1, 5, 3}));
    }

    /* A reversed judge: human 0,1,2,3,4 and judge 4,3,2,1,0: |diff| = 4,2,0,2,4, so exact and within one are
     * both only the middle item (1/5 = 0.2); both correlations exactly -1. */
    @Test
    void aReversedJudgeCorrelatesMinusOne() {
        RatingAgreement a = RatingAgreement.of(new int[] {0, 1, 2, 3, 4}, new int[] {4, 3, 2, 1, 0});
        assertEquals(0.2, a.exactMatch(), 1e-12);
        assertEquals(0.2, a.withinOne(), 1e-12);
        assertEquals(-1.0, a.pearson(), 1e-12);
        assertEquals(-1.0, a.spearman(), 1e-12);
    }

    /* human 0, 2, 4 and a judge always saying 3: |diffs| 3, 1, 1 -> exact 0, within one 2/3. */
    @Test
    void correlationIsUndefinedWhenOneSideIsConstant() {
        RatingAgreement a = RatingAgreement.of(new int[] {0, 2, 4}, new int[] {3, 3, 3});
        assertNull(a.pearson());
        assertNull(a.spearman());
        assertEquals(0.0, a.exactMatch(), 1e-12);
        assertEquals(2.0 / 3, a.withinOne(), 1e-12);
    }

    @Test
    void ratingsOffTheScaleAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RatingAgreement.of(new int[] {5}, new int[] {4}));
    }
}
