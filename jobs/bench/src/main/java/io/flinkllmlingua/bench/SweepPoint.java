package io.flinkllmlingua.bench;

/**
 * One point of a scaling sweep: the engine (or the job, for the parallelism sweep) at one setting.
 *
 * @param sweep the swept quantity ({@code batch-size}, {@code sequence-length}, {@code parallelism}, {@code input-size})
 * @param x     the setting (sequences per batch, mean real tokens per sequence, parallelism, document bytes)
 */
public record SweepPoint(String sweep, String model, double x, PathResult result) {
    public double tokensPerSecond() {
        return result.tokensPerSecond();
    }

    /** Milliseconds per KiB of input, for the input-size sweep. */
    public double millisPerKib() {
        return result.seconds() * 1000 / (x / 1024);
    }
}
