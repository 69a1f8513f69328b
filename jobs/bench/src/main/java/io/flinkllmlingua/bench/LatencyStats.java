package io.flinkllmlingua.bench;

import java.util.Arrays;

/**
 * Per-chunk latency of one measured path: nearest-rank percentiles (the value a chunk actually had, not an
 * interpolation between two chunks), in milliseconds.
 */
public record LatencyStats(int samples, double p50Millis, double p99Millis, double meanMillis, double maxMillis) {
    public static final LatencyStats NONE = new LatencyStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    public static LatencyStats of(double[] millis) {
        if (millis.length == 0) {
            return NONE;
        }
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        return new LatencyStats(sorted.length, nearestRank(sorted, 0.50), nearestRank(sorted, 0.99),
                Arrays.stream(sorted).average().orElse(Double.NaN), sorted[sorted.length - 1]);
    }

    /** The smallest sample with at least {@code q} of all samples at or below it. */
    static double nearestRank(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }

    public boolean measured() {
        return samples > 0;
    }
}
