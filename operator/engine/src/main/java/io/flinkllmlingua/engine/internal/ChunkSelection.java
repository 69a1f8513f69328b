package io.flinkllmlingua.engine.internal;

/**
 * Keep decisions for the words of one chunk.
 *
 * @param kept keep label per word
 * @param percentileIndex the token stage's percentile index q
 * @param threshold the chunk threshold T (keep iff probability &gt; T, or T == 1.0 and probability == 1.0)
 * @param dropConsecutiveThreshold the drop-consecutive threshold, NaN when that option is off
 * @param probabilities the word probabilities used (after drop-consecutive zeroing)
 */
public record ChunkSelection(
        boolean[] kept, int percentileIndex, double threshold, double dropConsecutiveThreshold, double[] probabilities) {}
