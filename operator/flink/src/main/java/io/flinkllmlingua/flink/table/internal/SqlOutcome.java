package io.flinkllmlingua.flink.table.internal;

/** The result of one SQL row: compressed, passed through, null, or skipped (ML_PREDICT emits no row). */
public record SqlOutcome(Kind kind, String compressedText, int originalTokens, int compressedTokens, double ratio,
                         double rate) {

    public enum Kind { COMPRESSED, PASSED_THROUGH, NULL, SKIPPED }

    public static final SqlOutcome NULL = new SqlOutcome(Kind.NULL, null, 0, 0, 0, 0);
    public static final SqlOutcome SKIPPED = new SqlOutcome(Kind.SKIPPED, null, 0, 0, 0, 0);

    /** True when there is a value to write (compressed or passed through). */
    public boolean hasValue() {
        return kind == Kind.COMPRESSED || kind == Kind.PASSED_THROUGH;
    }
}
