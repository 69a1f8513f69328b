package io.flinkllmlingua.jobs.backfill.internal;

/** A chunk already in the target: its key, and the content hash and model it was compressed from/with. */
public class ExistingChunk {
    public String key;
    public String contentHash;
    public String model;

    public ExistingChunk() {}

    public ExistingChunk(String docId, String chunkId, String contentHash, String model) {
        this.key = ChunkKeys.key(docId, chunkId);
        this.contentHash = contentHash;
        this.model = model;
    }
}
