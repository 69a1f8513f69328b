package io.flinkllmlingua.engine;

import io.flinkllmlingua.testkit.TestData;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.flinkllmlingua.engine.internal.CompressionTrace;
import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.TinyModelGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine on real ONNX Runtime sessions of generated models, over real documentation text. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngineEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Encoding CL100K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

    private Path models;
    private final Map<GeneratedFamily, Path> dirs = new EnumMap<>(GeneratedFamily.class);
    private final Map<GeneratedFamily, PromptCompressor> engines = new EnumMap<>(GeneratedFamily.class);
    private List<String> english;
    private List<String> multilingual;

    @BeforeAll
    void setUp() throws Exception {
        models = Files.createTempDirectory("llmlingua-e2e");
        for (GeneratedFamily f : GeneratedFamily.values()) {
            Path dir = models.resolve(f.name().toLowerCase());
            TinyModelGenerator.generateTiny(dir, f);
            dirs.put(f, dir);
            // Batched and bucketed explicitly (the CPU plan is one sequence per call): these engines check that
            // batching across callers and padding leave every result unchanged.
            engines.put(f, PromptCompressor.open(EngineConfig.builder(dir).executionProvider(ExecutionProvider.CPU)
                    .intraOpThreads(2).maxBatchSequences(32).lengthBucket(32).build()));
        }
        english = texts(TestData.corpora().resolve("docs-en.jsonl"), 24);
        multilingual = texts(TestData.corpora().resolve("docs-multilingual.jsonl"), 120);
    }

    @AfterAll
    void tearDown() throws Exception {
        engines.values().forEach(PromptCompressor::close);
        try (var paths = Files.walk(models)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static List<String> texts(Path jsonl, int limit) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(jsonl)) {
            if (!line.isBlank() && out.size() < limit) {
                out.add(JSON.readTree(line).get("text").asText());
            }
        }
        return out;
    }

    private static final CompressionOptions OPTIONS = CompressionOptions.referenceBuilder().rate(0.4)
            .forceTokens(List.of("\n", ".", "?", "!")).returnWordLabel(true).build();

    @ParameterizedTest
    @EnumSource(GeneratedFamily.class)
    void statisticsAgreeWithTheTexts(GeneratedFamily family) {
        PromptCompressor e = engines.get(family);
        assertEquals(family == GeneratedFamily.WORDPIECE ? ModelFamily.WORDPIECE : ModelFamily.SENTENCEPIECE, e.family());
        for (String text : english.subList(0, 8)) {
            CompressionResult r = e.compress(List.of(text), OPTIONS);
            assertEquals(CL100K.countTokensOrdinary(text), r.originTokens());
            assertEquals(CL100K.countTokensOrdinary(r.compressedPrompt()), r.compressedTokens());
            assertTrue(r.compressedTokens() > 0 && r.compressedTokens() < r.originTokens(),
                    r.compressedTokens() + " of " + r.originTokens());
            assertEquals((double) r.originTokens() / r.compressedTokens(), r.ratio(), 1e-12);
            long kept = r.wordLabels().get(0).stream().filter(WordLabel::kept).count();
            assertTrue(kept > 0 && kept < r.wordLabels().get(0).size());
            assertTrue(r.timings().inferenceNanos() > 0);
        }
    }

    @ParameterizedTest
    @EnumSource(GeneratedFamily.class)
    void originalSpansIsASubsequenceWithTheSameDecisions(GeneratedFamily family) {
        PromptCompressor e = engines.get(family);
        CompressionOptions spans = OPTIONS.toBuilder().renderMode(RenderMode.ORIGINAL_SPANS).build();
        List<String> texts = new ArrayList<>(english.subList(0, 6));
        texts.addAll(multilingual.subList(0, 120).stream().filter(t -> t.length() < 4000).limit(12).toList());
        for (String text : texts) {
            CompressionResult a = e.compress(List.of(text), OPTIONS);
            CompressionResult b = e.compress(List.of(text), spans);
            assertEquals(a.wordLabels(), b.wordLabels());
            assertTrue(ReferenceVectorsTest.isSubsequence(b.compressedPrompt(), text), b.compressedPrompt());
            assertTrue(b.compressedPrompt().length() < text.length());
        }
    }

    @Test
    void longTextsAreChunkedAndChunkBoundariesKeepTheirSpaceInSpanMode() {
        PromptCompressor e = engines.get(GeneratedFamily.SENTENCEPIECE);
        String text = String.join("\n\n", english.subList(0, 6));
        CompressionResult r = e.compress(List.of(text), OPTIONS.toBuilder().rate(0.9).build());
        assertTrue(r.chunks() > 1, "chunks: " + r.chunks());
        CompressionResult s = e.compress(List.of(text),
                OPTIONS.toBuilder().rate(0.9).renderMode(RenderMode.ORIGINAL_SPANS).build());
        assertTrue(ReferenceVectorsTest.isSubsequence(s.compressedPrompt(), text));
    }

    @Test
    void resultsAreDeterministicAndIndependentOfPadding() {
        Path dir = dirs.get(GeneratedFamily.WORDPIECE);
        try (PromptCompressor padded = PromptCompressor.open(EngineConfig.builder(dir)
                .executionProvider(ExecutionProvider.CPU).padToMaxLength(true).build())) {
            PromptCompressor bucketed = engines.get(GeneratedFamily.WORDPIECE);
            for (String text : english.subList(0, 4)) {
                CompressionTrace ta = new CompressionTrace();
                CompressionTrace tb = new CompressionTrace();
                CompressionResult a = bucketed.compress(List.of(text), OPTIONS, ta);
                CompressionResult again = bucketed.compress(List.of(text), OPTIONS);
                CompressionResult b = padded.compress(List.of(text), OPTIONS, tb);
                assertEquals(a.compressedPrompt(), again.compressedPrompt());
                assertEquals(ta.chunks.size(), tb.chunks.size());
                for (int c = 0; c < ta.chunks.size(); c++) {
                    CompressionTrace.Chunk x = ta.chunks.get(c);
                    CompressionTrace.Chunk y = tb.chunks.get(c);
                    for (int w = 0; w < x.probabilities.size(); w++) {
                        double px = x.probabilities.get(w);
                        assertEquals(px, y.probabilities.get(w), 1e-5, "padding changed a probability");
                        if (Math.abs(px - x.threshold) > 1e-5) {
                            assertEquals(x.labels.get(w), y.labels.get(w));
                        }
                    }
                }
                assertEquals(a.originTokens(), b.originTokens());
            }
            assertTrue(padded.batchingStats().paddingEfficiency() < bucketed.batchingStats().paddingEfficiency());
        }
    }

    @Test
    void concurrentCallersAreBatchedAndGetTheirOwnResults() throws Exception {
        PromptCompressor e = engines.get(GeneratedFamily.WORDPIECE);
        List<String> texts = english.subList(0, 24);
        List<CompressionResult> sequential = new ArrayList<>();
        for (String t : texts) {
            sequential.add(e.compress(List.of(t), OPTIONS));
        }
        BatchingStats before = e.batchingStats();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<CompressionResult>> futures = new ArrayList<>();
            for (String t : texts) {
                futures.add(pool.submit(() -> e.compress(List.of(t), OPTIONS)));
            }
            for (int i = 0; i < texts.size(); i++) {
                assertEquals(sequential.get(i).wordLabels(), futures.get(i).get().wordLabels(), "text " + i);
            }
        } finally {
            pool.shutdown();
        }
        BatchingStats after = e.batchingStats();
        double meanBatch = (double) (after.sequences() - before.sequences()) / (after.batches() - before.batches());
        assertTrue(meanBatch > 1.0, "mean batch size with 8 concurrent callers: " + meanBatch);
    }

    @Test
    void asyncCompressionMatchesSynchronous() throws Exception {
        PromptCompressor e = engines.get(GeneratedFamily.SENTENCEPIECE);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<CompletableFuture<CompressionResult>> futures = new ArrayList<>();
            for (String t : multilingual.subList(0, 10)) {
                futures.add(e.compressAsync(List.of(t), OPTIONS, pool));
            }
            for (int i = 0; i < futures.size(); i++) {
                assertEquals(e.compress(List.of(multilingual.get(i)), OPTIONS).compressedPrompt(),
                        futures.get(i).get().compressedPrompt());
            }
            CompletableFuture<CompressionResult> bad = e.compressAsync(List.of("x \uD800 y"), OPTIONS, pool);
            Exception ex = assertThrows(Exception.class, bad::get);
            assertTrue(ex.getCause() instanceof InvalidRequestException, String.valueOf(ex.getCause()));
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void autoProviderFallsBackToCpuQuicklyWithoutAGpu() {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/dev/nvidia0")), "host has a GPU");
        long t0 = System.nanoTime();
        try (PromptCompressor e = PromptCompressor.open(EngineConfig.builder(dirs.get(GeneratedFamily.WORDPIECE)).build())) {
            assertEquals(ExecutionProvider.CPU, e.provider());
            assertNotEquals("", e.compress("A short sentence to compress. Another one here.").compressedPrompt() + "x");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < 5, "opening with AUTO took " + seconds + " s (CUDA library load attempted?)");
    }

    @Test
    void aClosedCompressorRefusesWorkAndStopsItsThread() throws Exception {
        PromptCompressor e = PromptCompressor.open(EngineConfig.builder(dirs.get(GeneratedFamily.WORDPIECE))
                .executionProvider(ExecutionProvider.CPU).build());
        e.compress(english.get(0));
        e.close();
        assertThrows(EngineException.class, () -> e.compress(english.get(1)));
        Thread.sleep(200);
        long batchers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("llmlingua-batcher") && t.isAlive()).count();
        long shared = engines.values().stream().mapToInt(x -> x.batchPlan().sessions()).sum();
        assertEquals(shared, batchers, "only the shared engines' batcher threads (one per session) remain");
    }
}
