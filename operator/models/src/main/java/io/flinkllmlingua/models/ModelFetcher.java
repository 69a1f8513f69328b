package io.flinkllmlingua.models;

import io.flinkllmlingua.models.internal.CacheLock;
import io.flinkllmlingua.models.internal.FileDownloader;
import io.flinkllmlingua.models.internal.HubUrls;
import io.flinkllmlingua.models.internal.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;

/**
 * Downloads catalog entries into the cache, {@code <cacheRoot>/models/<name>/<revision>/}, and returns the model
 * directory the engine loads.
 *
 * <p>Per file: an existing file is reused when its hash matches (checked by re-hashing, or from the
 * {@code fetch-manifest.json} record when size and modification time are unchanged); otherwise the file is streamed
 * to {@code <name>.part} (resuming an existing part with an HTTP range request), its size and SHA-256 are checked
 * against the catalog and it is renamed into place. A checksum mismatch deletes the part file and fails. When every
 * file is in place, {@code fetch-manifest.json} records name, repository, revision, sizes, hashes and time.
 *
 * <p>Entries without pinned hashes are refused unless {@link ModelFetchOptions#allowUnverified()} is set; the
 * computed hashes are then reported through {@link FetchListener#unverifiedHash} and the log, so they can be pinned.
 *
 * <p>Thread-safe; concurrent fetches of the same model (also from other processes) wait for each other.
 */
public final class ModelFetcher {
    private static final Logger LOG = LoggerFactory.getLogger(ModelFetcher.class);
    private static final String USER_AGENT = "flink-llmlingua-model-fetcher/1 (java.net.http)";
    /** Subdirectory of a safetensors entry's model directory that holds the downloaded checkpoint. */
    public static final String CHECKPOINT_SUBDIRECTORY = "checkpoint";

    private final ModelFetchOptions options;
    private final HttpClient client;

    public ModelFetcher(ModelFetchOptions options) {
        this.options = options;
        this.client = HttpClient.newBuilder()
                .connectTimeout(options.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    public ModelFetchOptions options() {
        return options;
    }

    /** The directory {@link #fetch} fills for {@code entry}: {@code <cacheRoot>/models/<name>/<revision>}. */
    public Path modelDirectory(ModelEntry entry) {
        return options.cacheRoot().resolve("models").resolve(entry.name()).resolve(entry.revision());
    }

    /** The download URL of one file of an entry. */
    public URI url(ModelEntry entry, ModelFile file) {
        return HubUrls.resolve(options.endpoint(), entry.repo(), entry.revision(), file.path());
    }

    /**
     * The model directory if a previous fetch completed it: the manifest names this entry, and every file it lists
     * is present with the recorded size (and the pinned hash, for verified files). Does not hash and never touches the
     * network.
     */
    public Optional<Path> cached(ModelEntry entry) {
        Path dir = modelDirectory(entry);
        if (entry.checkpoint()) {
            Path download = checkpointDirectory(entry);
            return cachedFiles(entry, download).isPresent() && imported(entry, dir, download) ? Optional.of(dir) : Optional.empty();
        }
        return cachedFiles(entry, dir);
    }

    /**
     * Where the files of a safetensors entry are downloaded: {@code <model directory>/checkpoint}; the converted
     * model is written to the model directory itself.
     */
    public Path checkpointDirectory(ModelEntry entry) {
        return modelDirectory(entry).resolve(CHECKPOINT_SUBDIRECTORY);
    }

    /** The conversion in {@code dir} was made from the checkpoint now in {@code download} (same weights SHA-256). */
    private static boolean imported(ModelEntry entry, Path dir, Path download) {
        com.fasterxml.jackson.databind.JsonNode m = CheckpointImporter.readManifest(dir);
        Optional<FetchManifest> fetched = FetchManifest.read(download);
        if (m == null || fetched.isEmpty() || !Files.isRegularFile(dir.resolve(TinyModelGenerator.MODEL_FILE))
                || !origin(entry).equals(m.path("origin").asText())) {
            return false;
        }
        Optional<FetchManifest.Entry> weights = fetched.get().file(CheckpointImporter.WEIGHTS_FILE);
        for (com.fasterxml.jackson.databind.JsonNode s : m.path("sources")) {
            if (s.path("file").asText().equals(CheckpointImporter.WEIGHTS_FILE)) {
                return weights.isPresent() && weights.get().sha256().equals(s.path("sha256").asText());
            }
        }
        return false;
    }

    private static String origin(ModelEntry entry) {
        return entry.repo() + "@" + entry.revision();
    }

    private Optional<Path> cachedFiles(ModelEntry entry, Path dir) {
        Optional<FetchManifest> manifest = FetchManifest.read(dir);
        if (manifest.isEmpty() || !manifest.get().name().equals(entry.name()) || !manifest.get().repo().equals(entry.repo())
                || !manifest.get().revision().equals(entry.revision())) {
            return Optional.empty();
        }
        for (ModelFile f : entry.files()) {
            Optional<FetchManifest.Entry> rec = manifest.get().file(f.localName());
            if (rec.isEmpty()) {
                if (f.optional()) {
                    continue;
                }
                return Optional.empty();
            }
            if (!matchesRecord(dir.resolve(f.localName()), rec.get(), f)) {
                return Optional.empty();
            }
        }
        return Optional.of(dir);
    }

    /** {@link #fetch(ModelEntry, FetchListener)} without a listener. */
    public Path fetch(ModelEntry entry) throws ModelFetchException {
        return fetch(entry, FetchListener.NONE);
    }

    /**
     * Makes sure every file of {@code entry} is in its model directory, downloading what is missing.
     *
     * @return the model directory
     * @throws ModelFetchException when the entry is unverified and unverified downloads are not allowed, or a file
     *                             cannot be downloaded or does not match its pinned size or SHA-256
     */
    public Path fetch(ModelEntry entry, FetchListener listener) throws ModelFetchException {
        if (!entry.acceptedWithoutOverride() && !options.allowUnverified()) {
            throw new ModelFetchException("Refusing to download model '" + entry.name() + "' (" + entry.repo() + "@"
                    + entry.revision() + "): the catalog pins no SHA-256 for "
                    + entry.filesNeedingOverride().stream().map(ModelFile::path).collect(Collectors.joining(", "))
                    + ". Pass --allow-unverified (ModelFetchOptions.allowUnverified(true)) to download it anyway; the"
                    + " computed hashes are then printed so you can pin them in a catalog.");
        }
        if (!entry.pinnedRevision()) {
            LOG.warn("Model '{}' uses revision '{}', which is not a commit sha and can move", entry.name(), entry.revision());
        }
        Path dir = modelDirectory(entry);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ModelFetchException("Cannot create the model directory " + dir + ": " + e.getMessage(), e);
        }
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "model-fetch-watchdog");
            t.setDaemon(true);
            return t;
        });
        try (CacheLock ignored = CacheLock.acquire(dir)) {
            FileDownloader downloader = new FileDownloader(client, options, watchdog, USER_AGENT);
            if (!entry.checkpoint()) {
                return fetchLocked(entry, dir, listener, downloader);
            }
            Path download = checkpointDirectory(entry);
            Files.createDirectories(download);
            fetchLocked(entry, download, listener, downloader);
            if (imported(entry, dir, download)) {
                listener.importing(entry, "already converted (" + CheckpointImporter.MANIFEST_FILE + " names the same weights)");
                return dir;
            }
            try {
                CheckpointImporter.importCheckpoint(download, dir, ModelSpec.WeightStorage.AUTO, origin(entry),
                        step -> listener.importing(entry, step));
            } catch (IOException e) {
                throw new ModelFetchException("Cannot convert the checkpoint of model '" + entry.name() + "' ("
                        + download + "): " + e.getMessage(), e);
            }
            return dir;
        } catch (ModelFetchException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelFetchException("Cannot lock " + dir + ": " + e.getMessage(), e);
        } finally {
            watchdog.shutdownNow();
        }
    }

    private Path fetchLocked(ModelEntry entry, Path dir, FetchListener listener, FileDownloader downloader)
            throws ModelFetchException {
        Optional<FetchManifest> previous = FetchManifest.read(dir);
        if (previous.isPresent() && !(previous.get().repo().equals(entry.repo()) && previous.get().revision().equals(entry.revision()))) {
            previous = Optional.empty();
        }
        List<FetchManifest.Entry> records = new ArrayList<>();
        boolean changed = previous.isEmpty();
        LOG.info("Fetching model '{}' from {} at {} into {}", entry.name(), entry.repo(), entry.revision(), dir);
        for (ModelFile file : entry.files()) {
            Path target = dir.resolve(file.localName());
            Path part = dir.resolve(file.localName() + ".part");
            Optional<FetchManifest.Entry> record = previous.flatMap(m -> m.file(file.localName()));

            FetchManifest.Entry reused = reuse(entry, file, target, part, record.orElse(null), listener);
            if (reused != null) {
                records.add(reused);
                if (record.isEmpty() || record.get().lastModifiedMillis() != reused.lastModifiedMillis()) {
                    changed = true;
                }
                continue;
            }
            changed = true;

            URI url = url(entry, file);
            long expectedSize = file.size().orElse(-1L);
            FileDownloader.Result result = downloader.download(url, part, expectedSize, file.optional(),
                    new FileDownloader.Progress() {
                        @Override
                        public void started(long done, long total) {
                            listener.fileStarted(entry, file, done, total);
                        }

                        @Override
                        public void progress(long done, long total) {
                            listener.progress(entry, file, done, total);
                        }

                        @Override
                        public void retrying(int failedAttempt, int maxAttempts, Duration delay, String reason) {
                            listener.retrying(entry, file, failedAttempt, maxAttempts, delay, reason);
                        }
                    });
            if (result.notFound()) {
                LOG.info("Optional file {} is not in {}@{}; skipped", file.path(), entry.repo(), entry.revision());
                listener.fileSkipped(entry, file, "not in the repository (HTTP 404)");
                continue;
            }
            if (expectedSize >= 0 && result.size() != expectedSize) {
                deleteQuietly(part);
                throw new ModelFetchException("Size mismatch for " + entry.repo() + "/" + file.path() + " at " + entry.revision()
                        + ": expected " + expectedSize + " bytes, got " + result.size() + "; the partial file was deleted",
                        url.toString(), -1, null);
            }
            if (file.sha256() != null && !file.sha256().equals(result.sha256())) {
                deleteQuietly(part);
                throw new ModelFetchException("SHA-256 mismatch for " + entry.repo() + "/" + file.path() + " at "
                        + entry.revision() + " (" + url + "): expected " + file.sha256() + ", actual " + result.sha256()
                        + " (" + result.size() + " bytes); the downloaded file was deleted", url.toString(), -1, null);
            }
            moveIntoPlace(part, target);
            long mtime = lastModified(target);
            records.add(new FetchManifest.Entry(file.path(), file.localName(), result.size(), result.sha256(), file.verified(), mtime));
            if (!file.verified()) {
                reportUnverified(entry, file, result.size(), result.sha256(), listener);
            }
            LOG.info("Fetched {} ({} bytes, sha256 {}{})", target, result.size(), result.sha256(), file.verified() ? ", verified" : ", UNVERIFIED");
            listener.fileCompleted(entry, file, result.size(), result.sha256());
        }
        if (changed) {
            FetchManifest manifest = new FetchManifest(entry.name(), entry.repo(), entry.revision(), entry.family(),
                    options.endpoint().toString(), Instant.now(), records);
            try {
                manifest.write(dir);
            } catch (IOException e) {
                throw new ModelFetchException("Cannot write " + dir.resolve(FetchManifest.FILE_NAME) + ": " + e.getMessage(), e);
            }
        }
        return dir;
    }

    /** Returns the record of a reusable existing file, or null when it must be downloaded (a bad file is deleted). */
    private FetchManifest.Entry reuse(ModelEntry entry, ModelFile file, Path target, Path part,
                                      FetchManifest.Entry record, FetchListener listener) throws ModelFetchException {
        if (!Files.isRegularFile(target)) {
            return null;
        }
        try {
            long size = Files.size(target);
            String sha;
            if (record != null && matchesRecord(target, record, file)) {
                sha = record.sha256();
            } else {
                if (file.size().isPresent() && file.size().getAsLong() != size) {
                    LOG.warn("{} has {} bytes, the catalog expects {}; downloading it again", target, size, file.size().getAsLong());
                    Files.delete(target);
                    return null;
                }
                sha = Sha256.of(target);
                if (file.sha256() != null && !file.sha256().equals(sha)) {
                    LOG.warn("{} has sha256 {}, the catalog expects {}; downloading it again", target, sha, file.sha256());
                    Files.delete(target);
                    return null;
                }
            }
            Files.deleteIfExists(part);
            if (!file.verified()) {
                reportUnverified(entry, file, size, sha, listener);
            }
            listener.fileReused(entry, file, size, sha);
            return new FetchManifest.Entry(file.path(), file.localName(), size, sha, file.verified(), lastModified(target));
        } catch (IOException e) {
            throw new ModelFetchException("Cannot check the cached file " + target + ": " + e.getMessage(), e);
        }
    }

    /** The manifest record vouches for the file: same size and modification time, and the pinned hash if any. */
    private static boolean matchesRecord(Path target, FetchManifest.Entry record, ModelFile file) {
        try {
            if (!Files.isRegularFile(target) || Files.size(target) != record.size() || lastModified(target) != record.lastModifiedMillis()) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        if (file.size().isPresent() && file.size().getAsLong() != record.size()) {
            return false;
        }
        return file.sha256() == null || file.sha256().equals(record.sha256());
    }

    private static void reportUnverified(ModelEntry entry, ModelFile file, long size, String sha, FetchListener listener) {
        if (file.trustedByRevision()) {
            LOG.info("{}/{} at {}: no pinned hash, trusted by the pinned revision; computed sha256 {} ({} bytes)",
                    entry.repo(), file.path(), entry.revision(), sha, size);
            listener.trustedByRevision(entry, file, size, sha);
            return;
        }
        LOG.warn("UNVERIFIED file {}/{} at {}: computed sha256 {} ({} bytes); the catalog pins no hash for it, pin this value"
                + " once the content is trusted", entry.repo(), file.path(), entry.revision(), sha, size);
        listener.unverifiedHash(entry, file, size, sha);
    }

    private static void moveIntoPlace(Path part, Path target) throws ModelFetchException {
        try {
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new ModelFetchException("Cannot move " + part + " to " + target + ": " + e.getMessage(), e);
        }
    }

    private static long lastModified(Path p) throws ModelFetchException {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            throw new ModelFetchException("Cannot stat " + p + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("Cannot delete {}: {}", p, e.getMessage());
        }
    }
}
