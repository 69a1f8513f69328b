package io.flinkllmlingua.flink;

/**
 * What the operator emits for one input record: either a compressed chunk or a dead letter, ready to write
 * (JSON value bytes, the original key and headers). A Flink POJO.
 */
public class ChunkOutcome {
    /** True for a dead-letter record. */
    public boolean deadLetter;
    /** A dead letter caused by an engine failure that a retry may fix (not bad input). */
    public boolean retryable;
    /** For dead letters: the error class (e.g. {@code MalformedJson}). */
    public String errorClass;
    public byte[] key;
    public byte[] value;
    public String[] headerNames = new String[0];
    public byte[][] headerValues = new byte[0][];
    public long timestamp;
    /** Source coordinates, for logs and tests. */
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;

    public ChunkOutcome() {}

    public boolean isDeadLetter() {
        return deadLetter;
    }

    public boolean isRetryable() {
        return retryable;
    }

    @Override
    public String toString() {
        return (deadLetter ? "DeadLetter[" + errorClass + "] " : "Compressed ") + sourceTopic + "-" + sourcePartition
                + "@" + sourceOffset;
    }
}
