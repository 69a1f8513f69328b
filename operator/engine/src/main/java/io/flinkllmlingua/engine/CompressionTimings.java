package io.flinkllmlingua.engine;

import java.io.Serializable;

/** Where the time of one call went, in nanoseconds. Inference includes waiting for a shared batch. */
public record CompressionTimings(long preprocessNanos, long inferenceNanos, long selectionNanos, long totalNanos)
        implements Serializable {
    public static final CompressionTimings ZERO = new CompressionTimings(0, 0, 0, 0);
}
