package io.flinkllmlingua.engine.internal;

import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.EngineClosedException;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.PromptCompressor;
import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.TinyModelGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One-thread CPU sessions shared by the classifiers and engines of one model file, on real ONNX Runtime sessions. */
class SharedSessionsTest {
    @TempDir
    static Path dir;

    private static final long[] IDS = {2, 17, 33, 48, 9, 3};
    private static final long[] MASK = {1, 1, 1, 1, 1, 1};

    @BeforeAll
    static void generate() throws Exception {
        TinyModelGenerator.generateTiny(dir, GeneratedFamily.WORDPIECE);
    }

    private static EngineConfig oneThread(Path modelDir) {
        return EngineConfig.builder(modelDir).executionProvider(ExecutionProvider.CPU).intraOpThreads(1).build();
    }

    private static float[] score(OnnxTokenClassifier c) {
        return c.keepProbabilities(IDS, MASK, 1, IDS.length);
    }

    @Test
    void classifiersOfOneThreadShareASessionUntilTheLastOneCloses() {
        int before = SharedSessions.openSessions();
        OnnxTokenClassifier a = new OnnxTokenClassifier(oneThread(dir));
        OnnxTokenClassifier b = new OnnxTokenClassifier(oneThread(dir));
        assertTrue(a.sharesSessionWith(b));
        assertEquals(before + 1, SharedSessions.openSessions(), "one session for both");
        float[] expected = score(a);
        a.close();
        assertThrows(EngineClosedException.class, () -> score(a), "the closed holder refuses calls");
        assertArrayEquals(expected, score(b), "the other holder's session is still open");
        b.close();
        assertEquals(before, SharedSessions.openSessions(), "the last holder freed it");
        try (OnnxTokenClassifier c = new OnnxTokenClassifier(oneThread(dir))) {
            assertFalse(c.sharesSessionWith(a), "a fresh session after the last one closed");
            assertArrayEquals(expected, score(c));
        }
    }

    @Test
    void closingOneHolderLeavesTheOtherHoldersCallsRunning() throws Exception {
        OnnxTokenClassifier closing = new OnnxTokenClassifier(oneThread(dir));
        try (OnnxTokenClassifier running = new OnnxTokenClassifier(oneThread(dir))) {
            float[] expected = score(running);
            CompletableFuture<Integer> calls = CompletableFuture.supplyAsync(() -> {
                int same = 0;
                for (int i = 0; i < 300; i++) {
                    same += Arrays.equals(expected, score(running)) ? 1 : 0;
                }
                return same;
            });
            score(closing);
            closing.close();
            assertEquals(300, calls.get(60, TimeUnit.SECONDS), "every call of the other holder ran, same bits");
        }
    }

    @Test
    void sessionsOfSeveralThreadsOrOfAnotherFileAreTheirOwn(@TempDir Path copy) throws Exception {
        try (OnnxTokenClassifier one = new OnnxTokenClassifier(oneThread(dir));
             OnnxTokenClassifier two = new OnnxTokenClassifier(oneThread(dir).toBuilder().intraOpThreads(2).build())) {
            assertFalse(one.sharesSessionWith(two), "two threads: a pool of its own");
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.createLink(copy.resolve(f.getFileName()), f);
                }
            }
            try (OnnxTokenClassifier linked = new OnnxTokenClassifier(oneThread(copy))) {
                assertFalse(one.sharesSessionWith(linked), "another path");
            }
            Path model = dir.resolve("model.onnx");
            FileTime was = Files.getLastModifiedTime(model);
            Files.setLastModifiedTime(model, FileTime.fromMillis(was.toMillis() + 60_000));
            try (OnnxTokenClassifier rewritten = new OnnxTokenClassifier(oneThread(dir))) {
                assertFalse(one.sharesSessionWith(rewritten), "the file changed on disk since: a new session");
            } finally {
                Files.setLastModifiedTime(model, was);
            }
        }
    }

    @Test
    void enginesOfOneModelShareItsSessionAndCompressAlike() {
        int before = SharedSessions.openSessions();
        String text = "The quick brown fox jumps over the lazy dog. Flink runs the job on two task slots.";
        PromptCompressor first = PromptCompressor.open(oneThread(dir));
        try (PromptCompressor second = PromptCompressor.open(oneThread(dir))) {
            assertEquals(before + 1, SharedSessions.openSessions(), "two engines, one session");
            CompressionResult expected = first.compress(text);
            first.close();
            CompressionResult after = second.compress(text);
            assertEquals(expected.compressedPrompt(), after.compressedPrompt());
            assertEquals(expected.wordLabels(), after.wordLabels());
        }
        assertEquals(before, SharedSessions.openSessions());
    }
}
