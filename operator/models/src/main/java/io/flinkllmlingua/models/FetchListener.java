package io.flinkllmlingua.models;

import io.flinkllmlingua.models.internal.PrintingFetchListener;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Progress of a {@link ModelFetcher#fetch fetch}, file by file. All methods have empty defaults; they are called on
 * the fetching thread. A total of {@code -1} means the size is not known (no size in the catalog and no
 * {@code Content-Length}).
 */
public interface FetchListener {
    /** A listener that ignores everything. */
    FetchListener NONE = new FetchListener() { };

    /** A listener printing one line per event (progress at most every 5 % or 2 s) to {@code out}, for a CLI. */
    static FetchListener printing(PrintStream out) {
        return new PrintingFetchListener(out);
    }

    /** A file is about to be transferred; {@code bytesDone} is non-zero when an existing part file is resumed. */
    default void fileStarted(ModelEntry entry, ModelFile file, long bytesDone, long totalBytes) { }

    /** Bytes of {@code file} written so far (including resumed bytes), reported at most every 1 MiB and at the end. */
    default void progress(ModelEntry entry, ModelFile file, long bytesDone, long totalBytes) { }

    /** A transfer attempt failed with a transient error and will be retried after {@code delay}. */
    default void retrying(ModelEntry entry, ModelFile file, int failedAttempt, int maxAttempts, Duration delay, String reason) { }

    /** The file was downloaded (and, if the catalog pins a hash, verified) and moved into place. */
    default void fileCompleted(ModelEntry entry, ModelFile file, long size, String sha256) { }

    /** The file was already in the cache with the expected content; nothing was downloaded. */
    default void fileReused(ModelEntry entry, ModelFile file, long size, String sha256) { }

    /** An optional file does not exist in the repository (HTTP 404) and was left out. */
    default void fileSkipped(ModelEntry entry, ModelFile file, String reason) { }

    /**
     * The file has no pinned hash in the catalog; this is the SHA-256 that was computed, to pin in a catalog once
     * the content has been checked by other means.
     */
    default void unverifiedHash(ModelEntry entry, ModelFile file, long size, String sha256) { }

    /**
     * The file has no pinned hash and was accepted because the entry's revision is a commit sha (catalog
     * {@code "trust": "revision"}); this is its computed SHA-256, also recorded in the manifest.
     */
    default void trustedByRevision(ModelEntry entry, ModelFile file, long size, String sha256) { }

    /** A step of the conversion of a downloaded safetensors checkpoint (entries of format safetensors). */
    default void importing(ModelEntry entry, String step) { }
}
