package io.flinkllmlingua.models;

import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.ModelFamily;
import io.flinkllmlingua.engine.PromptCompressor;
import io.flinkllmlingua.models.internal.Sha256;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A safetensors catalog entry fetched from a loopback {@link FakeHub}: pinned weights, text files trusted by the
 * revision, converted on fetch into a directory the engine loads and compresses with.
 */
class CheckpointFetchTest {
    private static final String REPO = "test-owner/test-checkpoint";
    private static final String REV = "89abcdef0123456789abcdef0123456789abcdef";

    @TempDir
    Path tmp;

    private FakeHub hub;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    /** Serves a generated checkpoint; returns an entry with the weights pinned (or not) and the text trusted by revision. */
    private ModelEntry serveCheckpoint(boolean pinWeights) throws IOException {
        Path tokenizer = tmp.resolve("tokenizer");
        int base = TinyModelGenerator.generateTiny(tokenizer, GeneratedFamily.WORDPIECE).baseVocabSize();
        Path source = tmp.resolve("source");
        new TestCheckpoint(GeneratedFamily.WORDPIECE, 2, 32, 4, 64, true, true, true, base, 5)
                .write(source, tokenizer, TestCheckpoint.DType.F16);
        ModelEntry.Builder b = ModelEntry.builder("test-checkpoint").repo(REPO).revision(REV).family("wordpiece")
                .format(ModelEntry.Format.SAFETENSORS);
        for (String name : List.of("model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json")) {
            byte[] bytes = Files.readAllBytes(source.resolve(name));
            hub.serve(FakeHub.resolvePath(REPO, REV, name), bytes);
            boolean weights = name.equals("model.safetensors");
            b.file(new ModelFile(name, name, weights ? (long) bytes.length : null,
                    weights && pinWeights ? Sha256.of(bytes) : null, false, !weights));
        }
        return b.build();
    }

    private ModelFetchOptions.Builder options() {
        return ModelFetchOptions.builder().endpoint(hub.endpoint()).cacheRoot(tmp.resolve("cache")).maxAttempts(2)
                .backoff(Duration.ofMillis(1), Duration.ofMillis(5));
    }

    @Test
    void pinnedCheckpointIsFetchedWithoutOverrideConvertedAndCompressesWithTheEngine() throws Exception {
        ModelEntry entry = serveCheckpoint(true);
        assertTrue(entry.acceptedWithoutOverride());
        ModelFetcher fetcher = new ModelFetcher(options().build());
        List<String> trusted = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        FetchListener listener = new FetchListener() {
            @Override
            public void trustedByRevision(ModelEntry e, ModelFile f, long size, String sha256) {
                trusted.add(f.path() + " " + sha256);
            }

            @Override
            public void unverifiedHash(ModelEntry e, ModelFile f, long size, String sha256) {
                throw new AssertionError("no file of this entry is unverified: " + f);
            }

            @Override
            public void importing(ModelEntry e, String step) {
                steps.add(step);
            }
        };
        Path dir = fetcher.fetch(entry, listener);
        assertEquals(fetcher.modelDirectory(entry), dir);
        assertEquals(3, trusted.size(), trusted.toString());
        assertTrue(trusted.get(0).startsWith("config.json " + Sha256.of(tmp.resolve("source/config.json"))), trusted.toString());
        assertTrue(steps.contains("encoder layer 2/2"), steps.toString());
        assertTrue(Files.isRegularFile(dir.resolve("model.onnx")));
        assertEquals(REPO + "@" + REV, CheckpointImporter.readManifest(dir).get("origin").asText());
        assertEquals(dir, fetcher.cached(entry).orElseThrow());

        try (PromptCompressor engine = PromptCompressor.open(EngineConfig.builder(dir)
                .executionProvider(ExecutionProvider.CPU).intraOpThreads(1).build())) {
            assertEquals(ModelFamily.WORDPIECE, engine.family());
            String text = "The committee approved the budget of 4.2 million dollars on Tuesday, after a long debate"
                    + " about the new library, the bus routes and the park near the river.";
            CompressionResult r = engine.compress(List.of(text),
                    CompressionOptions.referenceBuilder().rate(0.5).build());
            assertTrue(r.compressedTokens() > 0 && r.compressedTokens() < r.originTokens(), r.toString());
        }

        // A second fetch downloads nothing and does not convert again.
        int requests = hub.requests().size();
        steps.clear();
        fetcher.fetch(entry, listener);
        assertEquals(requests, hub.requests().size());
        assertEquals(1, steps.size(), steps.toString());
        assertTrue(steps.get(0).startsWith("already converted"), steps.toString());
    }

    @Test
    void unpinnedWeightsStillNeedAllowUnverified() throws Exception {
        ModelEntry entry = serveCheckpoint(false);
        assertFalse(entry.acceptedWithoutOverride());
        ModelFetchException e = assertThrows(ModelFetchException.class,
                () -> new ModelFetcher(options().build()).fetch(entry));
        assertTrue(e.getMessage().contains("the catalog pins no SHA-256 for model.safetensors. Pass --allow-unverified"),
                e.getMessage());
        assertTrue(hub.requests().isEmpty());
        Path dir = new ModelFetcher(options().allowUnverified(true).build()).fetch(entry);
        assertTrue(Files.isRegularFile(dir.resolve("model.onnx")));
    }
}
