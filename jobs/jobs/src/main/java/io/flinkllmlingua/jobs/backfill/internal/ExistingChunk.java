package io.flinkllmlingua.jobs.backfill.internal;

/** A chunk already in the target: its key, and the content hash and model it was compressed from/with. */
public class ExistingChunk {
    public String key;
    public String contentHash;
    public String model;

    public ExistingChunk() {}

    /** The key of a chunk in the target: doc_id and chunk_id, separated by a character JSON text rarely has. */
    public static String key(String docId, String chunkId) {
        return docId + '\u0001' + chunkId;
    }

    public ExistingChunk(String docId, String chunkId, String contentHash, String model) {
        this.key = key(docId, chunkId);
        this.contentHash = contentHash;
        this.model = model;
    }
}
