package io.flinkllmlingua.flink;

/**
 * What the operator emits for one input chunk: a {@link CompressedChunk} or a {@link DeadLetter}, with the
 * chunk's {@link SourceRecord origin} (null for chunks built in code) so that a sink can keep the input's key,
 * headers and timestamp. Serialised only at the edges ({@code RecordCodec} in the Kafka job, backfill, CLI).
 * A Flink POJO.
 */
public class ChunkOutcome {
    /** The compressed chunk; null for a dead letter. */
    public CompressedChunk compressed;
    /** The dead letter; null for a compressed chunk. */
    public DeadLetter deadLetter;
    /** Where the input came from; null when the chunk was built in code. */
    public SourceRecord origin;

    public ChunkOutcome() {}

    public static ChunkOutcome compressed(CompressedChunk chunk, SourceRecord origin) {
        ChunkOutcome o = new ChunkOutcome();
        o.compressed = chunk;
        o.origin = origin;
        return o;
    }

    public static ChunkOutcome deadLetter(DeadLetter deadLetter, SourceRecord origin) {
        ChunkOutcome o = new ChunkOutcome();
        o.deadLetter = deadLetter;
        o.origin = origin;
        return o;
    }

    public boolean isDeadLetter() {
        return deadLetter != null;
    }

    /** The dead letter's error class, null for a compressed chunk. */
    public String errorClass() {
        return deadLetter == null ? null : deadLetter.errorClass();
    }

    /** The chunk's doc_id (null for a dead letter whose input could not be read). */
    public String docId() {
        return compressed != null ? compressed.docId() : deadLetter.docId();
    }

    /** The chunk's chunk_id (null for a dead letter whose input could not be read). */
    public String chunkId() {
        return compressed != null ? compressed.chunkId() : deadLetter.chunkId();
    }

    @Override
    public String toString() {
        return (isDeadLetter() ? "DeadLetter[" + errorClass() + "] " : "Compressed ") + docId() + "/" + chunkId()
                + (origin == null ? "" : " " + origin);
    }
}
