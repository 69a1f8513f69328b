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
        // (90 + 60) / (2 * 90) = 0.83; with 40: 190 / (3 * 90) = 0.70 < 0.8, so 40 starts the next call.
        assertEquals(2, BatchCut.size(rest, 3, 32, 16384, 0.8, BUCKET_32));
        assertEquals(3, BatchCut.size(rest, 3, 32, 16384, 0.5, BUCKET_32));
    }

    @Test
    void theBucketsRoundingDoesNotSplitEqualSequences() {
        int[] lengths = new int[40];
        java.util.Arrays.fill(lengths, 100);
        // 100 real tokens in a 128-wide call is 0.78 for every row alike: the floor compares rows with the longest.
        assertEquals(32, BatchCut.size(lengths, 40, 32, 16384, 0.8, BUCKET_32));
        int[] many = new int[300];
        java.util.Arrays.fill(many, 100);
        assertEquals(16384 / 128, BatchCut.size(many, 300, 1000, 16384, 0.8, BUCKET_32), "the token budget counts padding");
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
