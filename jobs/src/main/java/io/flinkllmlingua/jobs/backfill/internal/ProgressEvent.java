package io.flinkllmlingua.jobs.backfill.internal;

/** What happened to one chunk, for the progress line and the report (small: it crosses to one subtask). */
public class ProgressEvent {
    public static final byte COMPRESSED = 0;
    public static final byte FAILED = 1;
    public static final byte SKIPPED = 2;

    public byte kind;
    public long tokensIn;
    public long tokensOut;

    public ProgressEvent() {}

    public ProgressEvent(byte kind, long tokensIn, long tokensOut) {
        this.kind = kind;
        this.tokensIn = tokensIn;
        this.tokensOut = tokensOut;
    }
}
