package io.flinkllmlingua.flink.table.internal;

import io.flinkllmlingua.flink.CompressedChunk;

/**
 * The SQL rendering of one row's policy outcome: a compressed (or passed-through) chunk, a null result, or no row
 * (ML_PREDICT under {@code SKIP_ROW}).
 */
public record SqlOutcome(Kind kind, CompressedChunk chunk) {

    public enum Kind { COMPRESSED, PASSED_THROUGH, NULL, SKIPPED }

    public static final SqlOutcome NULL = new SqlOutcome(Kind.NULL, null);
    public static final SqlOutcome SKIPPED = new SqlOutcome(Kind.SKIPPED, null);

    /** True when there is a value to write (compressed or passed through). */
    public boolean hasValue() {
        return kind == Kind.COMPRESSED || kind == Kind.PASSED_THROUGH;
    }

    public String compressedText() { return chunk.compressedText(); }
    public int originalTokens() { return chunk.originalTokens(); }
    public int compressedTokens() { return chunk.compressedTokens(); }
    /** Null when every word was dropped. */
    public Double ratio() { return chunk.ratio(); }
    public double keptFraction() { return chunk.keptFraction(); }
}
