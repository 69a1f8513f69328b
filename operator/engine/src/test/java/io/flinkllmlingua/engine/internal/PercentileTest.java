package io.flinkllmlingua.engine.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Spec §7.3 (index table), §7.8 A/B, §8.3, §11.1 (numpy "linear"), §11.3 (indices). */
class PercentileTest {
    private static final double EPS = 1e-12;

    /** §7.3: q = trunc(100 * max(0, 1 - rate) + 1), including the inexact rates 0.8 → 20 and 0.9 → 10. */
    @ParameterizedTest(name = "rate {0} -> q {1}")
    @CsvSource({
        "0.1, 91", "0.25, 76", "0.33, 68", "0.5, 51", "0.7, 31",
        "0.71, 30", "0.8, 20", "0.9, 10", "0.95, 6", "0.99, 2"
    })
    void tokenStageIndexTable(double rate, int expected) {
        double reduce = Math.max(0, 1 - rate);
        assertEquals(expected, Percentile.tokenStageIndex(reduce));
    }

    /** §7.3 step 4: even rate 0.999 uses q = 1; rate 0 (reduce 1) gives 101, which numpy refuses. */
    @Test
    void tokenStageIndexExtremes() {
        assertEquals(1, Percentile.tokenStageIndex(Math.max(0, 1 - 0.999)));
        assertEquals(101, Percentile.tokenStageIndex(1.0));
    }

    /** §11.3: trunc(100 * reduce_rate), no +1 (§7.8 B: reduce 0.3 → 30; 0.8 is inexact → 19, not 20). */
    @ParameterizedTest(name = "rate {0} -> drop-consecutive q {1}")
    @CsvSource({"0.7, 30", "0.5, 50", "0.8, 19", "0.9, 9", "0.33, 67", "0.1, 90"})
    void dropConsecutiveIndex(double rate, int expected) {
        assertEquals(expected, Percentile.dropConsecutiveIndex(Math.max(0, 1 - rate)));
    }

    /** §11.3 / §8.1 / §8.3 / §8: trunc(100 * (1 - context_level_rate)), no +1. */
    @Test
    void contextStageIndex() {
        assertEquals(25, Percentile.contextStageIndex(0.75));          // §8.3, rate 0.5
        assertEquals(33, Percentile.contextStageIndex(200.0 / 300));   // §8.3, target_token 100
        assertEquals(18, Percentile.contextStageIndex(80.0 / 98));     // §8.4, golden case 2
        assertEquals(0, Percentile.contextStageIndex(1.0));
        assertEquals(100, Percentile.contextStageIndex(0.0));
        assertEquals(66, Percentile.contextStageIndex(1.0 / 3));
    }

    /** §7.8 A: weighted list 0.2×3, 0.6×3, 0.9×3, 1.0; rate 0.5 → q 51 → T = 0.6 exactly; rate 0.33 → q 68 → 0.9. */
    @Test
    void workedExampleA() {
        double[] weighted = {0.2, 0.2, 0.2, 0.9, 0.9, 0.9, 0.6, 0.6, 0.6, 1.0};
        assertEquals(0.6, Percentile.of(weighted, Percentile.tokenStageIndex(Math.max(0, 1 - 0.5))));
        assertEquals(0.9, Percentile.of(weighted, Percentile.tokenStageIndex(Math.max(0, 1 - 0.33))));
    }

    /** §7.8 B: Td = percentile(P, 30) = 0.905 over the unweighted words; T = percentile(L, 31) = 0.165. */
    @Test
    void workedExampleB() {
        double[] p = {0.9, 1, 0.2, 1, 1, 0.95, 0.1, 1};
        assertEquals(0.905, Percentile.of(p, 30), EPS);
        double[] afterDrop = {0.9, 1, 0.2, 0.0, 0.0, 0.95, 0.1, 1};
        int[] counts = {3, 1, 3, 1, 1, 3, 3, 1};
        double[] weighted = new double[16];
        int k = 0;
        for (int i = 0; i < afterDrop.length; i++) {
            for (int c = 0; c < counts[i]; c++) {
                weighted[k++] = afterDrop[i];
            }
        }
        assertEquals(16, k);
        assertEquals(0.165, Percentile.of(weighted, 31), EPS);
    }

    /** §8.3: scores (0.41, 0.55, 0.62): q 25 → 0.48 (g = 0.5 takes the b-side branch), q 33 → 0.5024. */
    @Test
    void contextExample() {
        double[] scores = {0.62, 0.41, 0.55};
        assertEquals(0.48, Percentile.of(scores, 25), EPS);
        assertEquals(0.5024, Percentile.of(scores, 33), EPS);
        assertEquals(0.5724, Percentile.of(scores, 66), EPS);
    }

    /**
     * §11.1: between equal neighbours the result must be bit-equal to them (the naive (1-g)·a + g·b gives
     * 0.10000000000000002 at q 4 and 0.09999999999999999 at q 6/7 for this list).
     */
    @Test
    void equalNeighboursAreExact() {
        double[] values = {0.7, 0.1, 0.3, 0.1, 0.3, 0.7};
        double[] sorted = {0.1, 0.1, 0.3, 0.3, 0.7, 0.7};
        for (int q = 0; q <= 100; q++) {
            double v = 5 * (q / 100.0);
            int lo = (int) Math.floor(v);
            if (lo < 5 && sorted[lo] == sorted[lo + 1]) {
                assertEquals(Double.doubleToLongBits(sorted[lo]),
                        Double.doubleToLongBits(Percentile.of(values, q)), "q=" + q);
            }
        }
        // A guard that the check above is discriminating.
        double g = 5 * 0.04;
        assertNotEquals(0.1, (1 - g) * 0.1 + g * 0.1);
    }

    /** Integer virtual index: the value itself, bit for bit (g = 0). */
    @Test
    void integerVirtualIndexReturnsElement() {
        double[] values = {0.5, 0.1, 0.4, 0.2, 0.3};
        assertEquals(0.2, Percentile.of(values, 25));
        assertEquals(0.3, Percentile.of(values, 50));
        assertEquals(0.4, Percentile.of(values, 75));
    }

    /**
     * §11.1 step 6, g ≥ 0.5 uses b − d·(1 − g): numpy.percentile([0.1,0.1,0.3,0.3,0.7,0.7], 33) is
     * 0.23000000000000004, while the one-sided a + d·g gives 0.23.
     */
    @Test
    void upperHalfUsesBSideFormula() {
        double[] values = {0.1, 0.1, 0.3, 0.3, 0.7, 0.7};
        assertEquals(0.23000000000000004, Percentile.of(values, 33));
        assertEquals(0.24000000000000005, Percentile.of(values, 34));
        // below one half, a + d·g (numpy gives 0.15 at q 25, where (1-g)·a + g·b gives 0.15000000000000002)
        assertEquals(0.15, Percentile.of(values, 25));
        assertEquals(0.18000000000000002, Percentile.of(values, 28));
    }

    @Test
    void endpoints() {
        double[] values = {0.3, -1.5, 0.9, 0.2};
        assertEquals(-1.5, Percentile.of(values, 0));
        assertEquals(0.9, Percentile.of(values, 100));
    }

    @Test
    void singleElement() {
        for (int q : new int[] {0, 1, 50, 99, 100}) {
            assertEquals(0.37, Percentile.of(new double[] {0.37}, q));
        }
    }

    @Test
    void inputIsNotModified() {
        double[] values = {0.9, 0.1, 0.5};
        Percentile.of(values, 50);
        assertArrayEquals(new double[] {0.9, 0.1, 0.5}, values);
    }

    @Test
    void prefixVariantUsesFirstEntriesOnly() {
        double[] values = {0.4, 0.2, 0.8, 100.0, -100.0};
        assertEquals(0.8, Percentile.of(values, 3, 100));
        assertEquals(0.2, Percentile.of(values, 3, 0));
        assertEquals(0.4, Percentile.of(values, 3, 50));
    }

    /** §11.1 step 1 and numpy's range check: empty lists and q outside [0, 100] are rejected. */
    @Test
    void rejectsEmptyAndOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> Percentile.of(new double[0], 50));
        assertThrows(IllegalArgumentException.class, () -> Percentile.of(new double[] {0.5}, 101));
        assertThrows(IllegalArgumentException.class, () -> Percentile.of(new double[] {0.5}, -1));
        assertThrows(IllegalArgumentException.class, () -> Percentile.of(new double[] {0.5, 1}, 0, 10));
    }
}
