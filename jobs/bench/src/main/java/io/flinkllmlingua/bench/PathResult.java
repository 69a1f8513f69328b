package io.flinkllmlingua.bench;

/**
 * One row of the results table: one path on one model over the same chunks.
 *
 * @param tokens            cl100k_base tokens of the original chunks (the reference's count, the same for every
 *                          path on the same chunks, so token rates compare like for like)
 * @param meanBatch         sequences per model call (NaN where the path does not expose it)
 * @param paddingEfficiency real positions / padded positions fed to the model (NaN where not exposed)
 * @param peakRssBytes      peak resident memory of the process while the path ran, or -1 when not measured
 * @param note              why a value is missing, or what the row includes; empty when nothing to say
 */
public record PathResult(BenchPath path, String model, int chunks, long tokens, double seconds, LatencyStats latency,
                         double meanBatch, double paddingEfficiency, long peakRssBytes, String note) {

    /** A path that could not run here, with the reason. */
    public static PathResult skipped(BenchPath path, String model, String reason) {
        return new PathResult(path, model, 0, 0, Double.NaN, LatencyStats.NONE, Double.NaN, Double.NaN, -1, reason);
    }

    public boolean ran() {
        return chunks > 0 && seconds > 0;
    }

    public double tokensPerSecond() {
        return ran() ? tokens / seconds : Double.NaN;
    }

    public double chunksPerSecond() {
        return ran() ? chunks / seconds : Double.NaN;
    }

    public PathResult withNote(String newNote) {
        return new PathResult(path, model, chunks, tokens, seconds, latency, meanBatch, paddingEfficiency,
                peakRssBytes, newNote);
    }
}
