package io.flinkllmlingua.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyStatsTest {

    @Test
    void nearestRankPercentilesPickASampleThatOccurred() {
        double[] millis = new double[100];
        for (int i = 0; i < 100; i++) {
            millis[i] = 100 - i; // 100 .. 1, unsorted on purpose
        }
        LatencyStats s = LatencyStats.of(millis);
        assertEquals(100, s.samples());
        assertEquals(50, s.p50Millis());
        assertEquals(99, s.p99Millis());
        assertEquals(50.5, s.meanMillis(), 1e-9);
        assertEquals(100, s.maxMillis());
        assertEquals(100, millis[0], "the input is not sorted in place");
    }

    @Test
    void smallSamplesUseTheirOwnValues() {
        LatencyStats s = LatencyStats.of(new double[] {7, 3, 5});
        assertEquals(5, s.p50Millis());
        assertEquals(7, s.p99Millis());
        LatencyStats one = LatencyStats.of(new double[] {4.25});
        assertEquals(4.25, one.p50Millis());
        assertEquals(4.25, one.p99Millis());
    }

    @Test
    void noSamplesMeansNotMeasured() {
        LatencyStats s = LatencyStats.of(new double[0]);
        assertFalse(s.measured());
        assertTrue(Double.isNaN(s.p50Millis()));
    }
}
