package io.flinkllmlingua.jobs.backfill;

import java.util.Arrays;

/**
 * One result of a backfill, ready for a sink: a compressed chunk (the streaming job's output record plus
 * {@code content_hash}) or a failure (the dead-letter record plus the row's {@code doc_id}/{@code chunk_id}
 * when they could be read).
 */
public class BackfillOutput {
    public boolean failure;
    public String docId;
    public String chunkId;
    public String contentHash;
    public String model;
    public String compressedText;
    public long originalTokens;
    public long compressedTokens;
    public double ratio;
    public String errorClass;
    public String errorMessage;
    /** The UTF-8 JSON record written to Kafka / JSONL (and stored in the {@code record} column). */
    public byte[] json;
    public byte[] key;
    /** The source record's timestamp (Kafka), 0 when it has none. */
    public long timestamp;
    public String[] headerNames = new String[0];
    public byte[][] headerValues = new byte[0][];

    public BackfillOutput() {}

    @Override
    public String toString() {
        return (failure ? "failure " + errorClass : "compressed") + " " + docId + "/" + chunkId
                + " " + (json == null ? "" : new String(json, java.nio.charset.StandardCharsets.UTF_8))
                + " headers=" + Arrays.toString(headerNames);
    }
}
