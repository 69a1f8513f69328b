package io.flinkllmlingua.models;

import io.flinkllmlingua.models.internal.Sha256;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ModelFetcher} against a loopback {@link FakeHub}. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ModelFetcherTest {
    private static final String REPO = "test-owner/test-model-onnx";
    private static final String REV = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path cache;

    private FakeHub hub;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private String path(String file) {
        return FakeHub.resolvePath(REPO, REV, file);
    }

    private ModelFetchOptions.Builder options() {
        return ModelFetchOptions.builder()
                .endpoint(hub.endpoint())
                .cacheRoot(cache)
                .maxAttempts(3)
                .backoff(Duration.ofMillis(1), Duration.ofMillis(5))
                .connectTimeout(Duration.ofSeconds(2))
                .responseTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(2));
    }

    private static ModelFile file(String repoPath, String local, byte[] content) {
        return new ModelFile(repoPath, local, (long) content.length, Sha256.of(content), false);
    }

    private static ModelEntry entry(ModelFile... files) {
        ModelEntry.Builder b = ModelEntry.builder("test-model").repo(REPO).revision(REV).family("sentencepiece");
        for (ModelFile f : files) {
            b.file(f);
        }
        return b.build();
    }

    private static List<String> listDir(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    /** N of a {@code bytes=N-} header (fails on anything else). */
    private static long rangeStart(String range) {
        assertTrue(range != null && range.matches("bytes=\\d+-"), "expected a Range: bytes=N- header, got " + range);
        return Long.parseLong(range.substring(6, range.length() - 1));
    }

    /** Records listener events as strings. */
    static final class Events implements FetchListener {
        final List<String> events = new ArrayList<>();
        final List<String> unverified = new ArrayList<>();

        @Override
        public void fileStarted(ModelEntry e, ModelFile f, long done, long total) {
            events.add("start " + f.localName() + " " + done + "/" + total);
        }

        @Override
        public void progress(ModelEntry e, ModelFile f, long done, long total) {
            events.add("progress " + f.localName() + " " + done + "/" + total);
        }

        @Override
        public void retrying(ModelEntry e, ModelFile f, int attempt, int max, Duration delay, String reason) {
            events.add("retry " + f.localName() + " " + attempt + "/" + max);
        }

        @Override
        public void fileCompleted(ModelEntry e, ModelFile f, long size, String sha) {
            events.add("done " + f.localName() + " " + size);
        }

        @Override
        public void fileReused(ModelEntry e, ModelFile f, long size, String sha) {
            events.add("reused " + f.localName());
        }

        @Override
        public void fileSkipped(ModelEntry e, ModelFile f, String reason) {
            events.add("skipped " + f.localName());
        }

        @Override
        public void unverifiedHash(ModelEntry e, ModelFile f, long size, String sha) {
            unverified.add(f.path() + " " + size + " " + sha);
        }
    }

    @Test
    void downloadsSeveralFilesIntoTheCacheAndWritesTheManifest() throws Exception {
        byte[] model = bytes(3 * 1024 * 1024 + 17, 1);
        byte[] data = bytes(200_000, 2);
        byte[] tokenizer = "{\"model\":{\"type\":\"Unigram\"}}".getBytes();
        hub.serve(path("onnx/model.onnx"), model).serve(path("onnx/model.onnx_data"), data).serve(path("tokenizer.json"), tokenizer);
        ModelEntry entry = entry(file("onnx/model.onnx", "model.onnx", model), file("onnx/model.onnx_data", "model.onnx_data", data),
                file("tokenizer.json", "tokenizer.json", tokenizer));
        Events events = new Events();

        Path dir = new ModelFetcher(options().build()).fetch(entry, events);

        assertEquals(cache.resolve("models").resolve("test-model").resolve(REV), dir);
        assertArrayEquals(model, Files.readAllBytes(dir.resolve("model.onnx")));
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("model.onnx_data")));
        assertArrayEquals(tokenizer, Files.readAllBytes(dir.resolve("tokenizer.json")));
        assertEquals(List.of(".fetch.lock", "fetch-manifest.json", "model.onnx", "model.onnx_data", "tokenizer.json"), listDir(dir));
        assertEquals(3, hub.requests().size());
        assertTrue(events.events.contains("start model.onnx 0/" + model.length), events.events::toString);
        assertTrue(events.events.stream().anyMatch(ev -> ev.startsWith("progress model.onnx ")
                && Long.parseLong(ev.substring(20, ev.indexOf('/'))) >= 1 << 20
                && Long.parseLong(ev.substring(20, ev.indexOf('/'))) < model.length), "intermediate progress: " + events.events);
        assertTrue(events.events.contains("progress model.onnx " + model.length + "/" + model.length), events.events::toString);
        assertTrue(events.events.contains("done tokenizer.json " + tokenizer.length), events.events::toString);
        assertTrue(events.unverified.isEmpty());

        FetchManifest manifest = FetchManifest.read(dir).orElseThrow();
        assertEquals("test-model", manifest.name());
        assertEquals(REPO, manifest.repo());
        assertEquals(REV, manifest.revision());
        assertEquals("sentencepiece", manifest.family());
        assertTrue(manifest.verified());
        assertEquals(3, manifest.files().size());
        assertEquals(Sha256.of(model), manifest.file("model.onnx").orElseThrow().sha256());
        assertEquals(data.length, manifest.file("model.onnx_data").orElseThrow().size());
        assertEquals("onnx/model.onnx_data", manifest.file("model.onnx_data").orElseThrow().path());
        String json = Files.readString(dir.resolve(FetchManifest.FILE_NAME));
        assertTrue(json.contains("\"fetchedAt\""), json);
        assertTrue(json.contains(Sha256.of(tokenizer)), json);
        assertEquals(dir, new ModelFetcher(options().build()).cached(entry).orElseThrow());
    }

    @Test
    void resumesWithARangeRequestAfterTheConnectionDrops() throws Exception {
        byte[] model = bytes(400_000, 3);
        hub.serve(path("onnx/model.onnx"), model).mode(path("onnx/model.onnx"), FakeHub.Mode.DROP_HALF_ONCE);
        ModelEntry entry = entry(file("onnx/model.onnx", "model.onnx", model));
        Events events = new Events();

        Path dir = new ModelFetcher(options().build()).fetch(entry, events);

        List<FakeHub.Request> requests = hub.requests(path("onnx/model.onnx"));
        assertEquals(2, requests.size(), requests::toString);
        assertNull(requests.get(0).range);
        // N is what reached the part file before the drop: at most the half the server sent (the client may lose
        // the tail of its buffers when the connection breaks), and the second request continues exactly there.
        long resumedAt = rangeStart(requests.get(1).range);
        assertTrue(resumedAt > 0 && resumedAt <= model.length / 2, requests::toString);
        assertTrue(events.events.contains("start model.onnx " + resumedAt + "/" + model.length), events.events::toString);
        assertEquals(Sha256.of(model), Sha256.of(dir.resolve("model.onnx")));
        assertFalse(Files.exists(dir.resolve("model.onnx.part")));
        assertTrue(events.events.contains("retry model.onnx 1/3"), events.events::toString);
    }

    @Test
    void resumesAfterTheBodyStallsLongerThanTheReadTimeout() throws Exception {
        byte[] model = bytes(100_000, 4);
        hub.serve(path("onnx/model.onnx"), model).mode(path("onnx/model.onnx"), FakeHub.Mode.STALL_HALF_ONCE);
        ModelEntry entry = entry(file("onnx/model.onnx", "model.onnx", model));

        long t0 = System.nanoTime();
        Path dir = new ModelFetcher(options().readTimeout(Duration.ofMillis(200)).build()).fetch(entry);
        long ms = (System.nanoTime() - t0) / 1_000_000;

        List<FakeHub.Request> requests = hub.requests(path("onnx/model.onnx"));
        assertEquals(2, requests.size(), requests::toString);
        long resumedAt = rangeStart(requests.get(1).range);
        assertTrue(resumedAt > 0 && resumedAt <= model.length / 2, requests::toString);
        assertArrayEquals(model, Files.readAllBytes(dir.resolve("model.onnx")));
        assertTrue(ms < 900, "the stalled transfer was abandoned after the read timeout, not after the stall: " + ms + " ms");
    }

    @Test
    void serverIgnoringRangeRestartsFromZero() throws Exception {
        byte[] model = bytes(50_000, 5);
        hub.serve(path("onnx/model.onnx"), model).mode(path("onnx/model.onnx"), FakeHub.Mode.IGNORE_RANGE);
        ModelEntry entry = entry(file("onnx/model.onnx", "model.onnx", model));
        ModelFetcher fetcher = new ModelFetcher(options().build());
        Path dir = fetcher.modelDirectory(entry);
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.onnx.part"), new byte[1000]); // a stale prefix that does not match the content

        fetcher.fetch(entry);

        List<FakeHub.Request> requests = hub.requests(path("onnx/model.onnx"));
        assertEquals(1, requests.size(), requests::toString);
        assertEquals("bytes=1000-", requests.get(0).range);
        assertArrayEquals(model, Files.readAllBytes(dir.resolve("model.onnx")));
        assertFalse(Files.exists(dir.resolve("model.onnx.part")));
    }

    @Test
    void completePartFileAnswered416IsAccepted() throws Exception {
        byte[] model = bytes(10_000, 6);
        hub.serve(path("onnx/model.onnx"), model);
        // No size in the catalog, so the fetcher cannot tell the part is complete without asking.
        ModelEntry entry = entry(new ModelFile("onnx/model.onnx", "model.onnx", null, Sha256.of(model), false));
        ModelFetcher fetcher = new ModelFetcher(options().build());
        Path dir = fetcher.modelDirectory(entry);
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.onnx.part"), model);

        fetcher.fetch(entry);

        List<FakeHub.Request> requests = hub.requests(path("onnx/model.onnx"));
        assertEquals(1, requests.size(), requests::toString);
        assertEquals("bytes=" + model.length + "-", requests.get(0).range);
        assertArrayEquals(model, Files.readAllBytes(dir.resolve("model.onnx")));
    }

    @Test
    void checksumMismatchFailsNamingBothHashesAndLeavesNoFile() throws Exception {
        byte[] expected = bytes(20_000, 7);
        byte[] served = expected.clone();
        served[12_345] ^= 1;
        hub.serve(path("onnx/model.onnx"), served);
        ModelEntry entry = entry(file("onnx/model.onnx", "model.onnx", expected));
        ModelFetcher fetcher = new ModelFetcher(options().build());

        ModelFetchException e = assertThrows(ModelFetchException.class, () -> fetcher.fetch(entry));

        assertTrue(e.getMessage().contains("SHA-256 mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains("expected " + Sha256.of(expected)), e.getMessage());
        assertTrue(e.getMessage().contains("actual " + Sha256.of(served)), e.getMessage());
        assertTrue(e.getMessage().contains("onnx/model.onnx"), e.getMessage());
        Path dir = fetcher.modelDirectory(entry);
        assertFalse(Files.exists(dir.resolve("model.onnx")));
        assertFalse(Files.exists(dir.resolve("model.onnx.part")));
        assertFalse(Files.exists(dir.resolve(FetchManifest.FILE_NAME)));
        assertEquals(1, hub.requests().size(), "a checksum mismatch is not retried");
    }

    @Test
    void notFoundFailsWithTheUrlAndIsNotRetried() {
        ModelEntry entry = entry(new ModelFile("onnx/missing.onnx", "model.onnx", null, Sha256.of(new byte[1]), false));
        ModelFetcher fetcher = new ModelFetcher(options().build());

        ModelFetchException e = assertThrows(ModelFetchException.class, () -> fetcher.fetch(entry));

        String url = hub.endpoint() + path("onnx/missing.onnx");
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertTrue(e.getMessage().contains(url), e.getMessage());
        assertTrue(e.getMessage().contains("EntryNotFound"), e.getMessage());
        assertEquals(url, e.url());
        assertEquals(404, e.statusCode());
        assertEquals(1, hub.requests().size());
    }

    @Test
    void optionalFileMissingIsSkipped() throws Exception {
        byte[] model = bytes(1000, 8);
        hub.serve(path("onnx/model.onnx"), model);
        ModelEntry entry = entry(file("onnx/model.onnx", "model.onnx", model),
                new ModelFile("tokenizer_config.json", "tokenizer_config.json", null, Sha256.of(new byte[0]), true));
        Events events = new Events();

        Path dir = new ModelFetcher(options().build()).fetch(entry, events);

        assertTrue(events.events.contains("skipped tokenizer_config.json"), events.events::toString);
        assertFalse(Files.exists(dir.resolve("tokenizer_config.json")));
        FetchManifest manifest = FetchManifest.read(dir).orElseThrow();
        assertEquals(List.of("model.onnx"), manifest.files().stream().map(FetchManifest.Entry::localName).collect(Collectors.toList()));
    }

    @Test
    void followsRedirectsAndKeepsTheTokenOnTheEndpointOrigin() throws Exception {
        byte[] model = bytes(30_000, 9);
        try (FakeHub cdn = new FakeHub()) {
            cdn.serve("/blobs/abc", model);
            hub.redirect(path("onnx/model.onnx"), cdn.endpoint() + "/blobs/abc?signature=secret");
            ModelEntry entry = entry(file("onnx/model.onnx", "model.onnx", model));

            Path dir = new ModelFetcher(options().token("hf_test_token").build()).fetch(entry);

            assertArrayEquals(model, Files.readAllBytes(dir.resolve("model.onnx")));
            assertEquals("Bearer hf_test_token", hub.requests().get(0).authorization);
            assertEquals(1, cdn.requests().size());
            assertEquals("/blobs/abc", cdn.requests().get(0).path);
            assertNull(cdn.requests().get(0).authorization, "the token must not be sent to another origin");
        }
    }

    @Test
    void cachedFilesAreNotDownloadedAgain() throws Exception {
        byte[] model = bytes(40_000, 10);
        byte[] tokenizer = bytes(500, 11);
        hub.serve(path("onnx/model.onnx"), model).serve(path("tokenizer.json"), tokenizer);
        ModelEntry entry = entry(file("onnx/model.onnx", "model.onnx", model), file("tokenizer.json", "tokenizer.json", tokenizer));
        ModelFetcher fetcher = new ModelFetcher(options().build());
        Path dir = fetcher.fetch(entry);
        assertEquals(2, hub.requests().size());

        Events events = new Events();
        assertEquals(dir, fetcher.fetch(entry, events));
        assertEquals(2, hub.requests().size(), "second fetch must not touch the network");
        assertEquals(List.of("reused model.onnx", "reused tokenizer.json"), events.events);

        // Without the manifest the files are re-hashed and still reused.
        Files.delete(dir.resolve(FetchManifest.FILE_NAME));
        fetcher.fetch(entry);
        assertEquals(2, hub.requests().size());
        assertTrue(Files.exists(dir.resolve(FetchManifest.FILE_NAME)));

        // A file changed behind the fetcher's back (same size, new mtime) is re-hashed and downloaded again.
        byte[] corrupt = model.clone();
        corrupt[0] ^= 1;
        Files.write(dir.resolve("model.onnx"), corrupt);
        Files.setLastModifiedTime(dir.resolve("model.onnx"), FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        fetcher.fetch(entry);
        assertEquals(3, hub.requests().size());
        assertEquals(path("onnx/model.onnx"), hub.requests().get(2).path);
        assertArrayEquals(model, Files.readAllBytes(dir.resolve("model.onnx")));
    }

    @Test
    void persistent503ExhaustsTheRetries() {
        hub.serve(path("onnx/model.onnx"), bytes(100, 12)).mode(path("onnx/model.onnx"), FakeHub.Mode.ALWAYS_503);
        ModelEntry entry = entry(file("onnx/model.onnx", "model.onnx", bytes(100, 12)));
        ModelFetcher fetcher = new ModelFetcher(options().maxAttempts(3).build());
        Events events = new Events();

        ModelFetchException e = assertThrows(ModelFetchException.class, () -> fetcher.fetch(entry, events));

        assertEquals(3, hub.requests().size());
        assertTrue(e.getMessage().contains("after 3 consecutive failed attempts"), e.getMessage());
        assertTrue(e.getMessage().contains("HTTP 503 Service Unavailable"), e.getMessage());
        assertTrue(e.getMessage().contains(hub.endpoint() + path("onnx/model.onnx")), e.getMessage());
        assertEquals(503, e.statusCode());
        assertEquals(List.of("retry model.onnx 1/3", "retry model.onnx 2/3"), events.events);
        assertFalse(Files.exists(fetcher.modelDirectory(entry).resolve("model.onnx")));
    }

    @Test
    void unverifiedEntryIsRefusedUnlessAllowed() throws Exception {
        byte[] model = bytes(5000, 13);
        hub.serve(path("onnx/model.onnx"), model);
        ModelEntry entry = entry(new ModelFile("onnx/model.onnx", "model.onnx", null, null, false));
        assertFalse(entry.verified());

        ModelFetchException e = assertThrows(ModelFetchException.class, () -> new ModelFetcher(options().build()).fetch(entry));
        assertTrue(e.getMessage().contains("--allow-unverified"), e.getMessage());
        assertTrue(e.getMessage().contains("onnx/model.onnx"), e.getMessage());
        assertEquals(0, hub.requests().size(), "nothing is downloaded before the refusal");

        Events events = new Events();
        Path dir = new ModelFetcher(options().allowUnverified(true).build()).fetch(entry, events);
        assertArrayEquals(model, Files.readAllBytes(dir.resolve("model.onnx")));
        assertEquals(List.of("onnx/model.onnx " + model.length + " " + Sha256.of(model)), events.unverified);
        FetchManifest manifest = FetchManifest.read(dir).orElseThrow();
        assertFalse(manifest.verified());
        assertEquals(Sha256.of(model), manifest.file("model.onnx").orElseThrow().sha256());
    }

    @Test
    void catalogSizeMismatchIsReportedBeforeDownloading() {
        byte[] model = bytes(3000, 14);
        hub.serve(path("onnx/model.onnx"), model);
        ModelEntry entry = entry(new ModelFile("onnx/model.onnx", "model.onnx", 2999L, Sha256.of(model), false));

        ModelFetchException e = assertThrows(ModelFetchException.class, () -> new ModelFetcher(options().build()).fetch(entry));

        assertTrue(e.getMessage().contains("expects 2999 bytes, the server announces 3000"), e.getMessage());
    }

    @Test
    void printingListenerWritesProgressAndUnverifiedHashes() throws Exception {
        byte[] model = bytes(2000, 15);
        hub.serve(path("onnx/model.onnx"), model);
        ModelEntry entry = entry(new ModelFile("onnx/model.onnx", "model.onnx", null, null, false));
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

        new ModelFetcher(options().allowUnverified(true).build())
                .fetch(entry, FetchListener.printing(new java.io.PrintStream(buf, true, "UTF-8")));

        String out = buf.toString("UTF-8");
        assertTrue(out.contains("model.onnx <- " + REPO + "/onnx/model.onnx"), out);
        assertTrue(out.contains("(100%)"), out);
        assertTrue(out.contains("UNVERIFIED " + REPO + "@" + REV + " onnx/model.onnx: sha256 " + Sha256.of(model) + ", size 2000"), out);
    }
}
