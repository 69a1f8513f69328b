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
 * @param phases            the run split into start-up, steady state and wind-down, with the process's CPU time in
 *                          the steady state ({@link Phases#NONE} when not measured)
 */
public record PathResult(BenchPath path, String model, int chunks, long tokens, double seconds, LatencyStats latency,
                         double meanBatch, double paddingEfficiency, long peakRssBytes, String note, Phases phases) {

    /** A row without a start-up / steady-state split. */
    public PathResult(BenchPath path, String model, int chunks, long tokens, double seconds, LatencyStats latency,
                      double meanBatch, double paddingEfficiency, long peakRssBytes, String note) {
        this(path, model, chunks, tokens, seconds, latency, meanBatch, paddingEfficiency, peakRssBytes, note,
                Phases.NONE);
    }

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

    /** Tokens per second between the first and the last compressed chunk; NaN when not measured. */
    public double steadyTokensPerSecond() {
        return ran() ? phases.steadyTokensPerSecond() : Double.NaN;
    }

    public PathResult withNote(String newNote) {
        return new PathResult(path, model, chunks, tokens, seconds, latency, meanBatch, paddingEfficiency,
                peakRssBytes, newNote, phases);
    }

    /**
     * This row of one text with its time the {@code compress} call's own (its latency), not the run's: the run also
     * starts and stops the caller thread, which on this VM costs 1-6 ms, as much as a 1 KB document.
     */
    public PathResult timedByCall() {
        if (chunks != 1 || latency.samples() != 1) {
            throw new IllegalStateException("one text, one call: " + chunks + " texts, " + latency.samples() + " calls");
        }
        return new PathResult(path, model, chunks, tokens, latency.maxMillis() / 1e3, latency, meanBatch,
                paddingEfficiency, peakRssBytes, note, phases);
    }

    /** This row with its start-up / steady-state split. */
    public PathResult withPhases(Phases p) {
        return new PathResult(path, model, chunks, tokens, seconds, latency, meanBatch, paddingEfficiency,
                peakRssBytes, note, p);
    }
}
