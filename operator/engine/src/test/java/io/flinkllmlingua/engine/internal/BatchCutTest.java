package io.flinkllmlingua.engine.internal;

import org.junit.jupiter.api.Test;

import java.util.function.IntUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BatchCutTest {
    /** Rounded up to 32, as the engine's default bucket. */
    private static final IntUnaryOperator BUCKET_32 = n -> ((n + 31) / 32) * 32;

    @Test
    void fullSequencesAndShortRemaindersGoToSeparateCalls() {
        int[] lengths = {512, 512, 512, 90, 60, 40};
        // Without a floor all six share a 512-wide call: (3*512 + 190) / (6*512) = 0.56.
        assertEquals(6, BatchCut.size(lengths, 6, 32, 16384, 0, BUCKET_32));
        // With 0.8 the call ends before the first remainder; the remainders then batch at width 96.
        assertEquals(3, BatchCut.size(lengths, 6, 32, 16384, 0.8, BUCKET_32));
        int[] rest = {90, 60, 40};
        // (90 + 60) / (2 * 96) = 0.78 < 0.8: 60 starts the next call.
        assertEquals(1, BatchCut.size(rest, 3, 32, 16384, 0.8, BUCKET_32));
        assertEquals(3, BatchCut.size(rest, 3, 32, 16384, 0.5, BUCKET_32));
    }

    @Test
    void budgetsStillApply() {
        int[] lengths = {512, 512, 512, 512, 512};
        assertEquals(2, BatchCut.size(lengths, 5, 2, 16384, 0.8, BUCKET_32));
        assertEquals(3, BatchCut.size(lengths, 5, 32, 3 * 512 + 100, 0.8, BUCKET_32));
        assertEquals(5, BatchCut.size(lengths, 5, 32, 16384, 0.8, BUCKET_32));
    }

    @Test
    void alwaysTakesAtLeastOneAndNothingFromAnEmptyQueue() {
        assertEquals(1, BatchCut.size(new int[] {3}, 1, 32, 512, 1.0, n -> 512));
        assertEquals(1, BatchCut.size(new int[] {512, 511}, 2, 32, 16384, 1.0, n -> 512));
        assertEquals(0, BatchCut.size(new int[0], 0, 32, 16384, 0.8, BUCKET_32));
    }
}
