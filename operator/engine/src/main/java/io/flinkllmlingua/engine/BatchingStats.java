package io.flinkllmlingua.engine;

/**
 * Cumulative counters of the micro-batcher, for metrics: model calls, sequences, real and padded positions,
 * and time spent in the model.
 */
public record BatchingStats(long batches, long sequences, long realTokens, long paddedTokens, long inferenceNanos,
                            int queuedSequences) {
    /** Mean sequences per model call. */
    public double meanBatchSize() {
        return batches == 0 ? 0 : (double) sequences / batches;
    }

    /** Real positions over padded positions (1.0 = no padding waste). */
    public double paddingEfficiency() {
        return paddedTokens == 0 ? 1.0 : (double) realTokens / paddedTokens;
    }
}
