package io.flinkllmlingua.engine.internal;

import io.flinkllmlingua.engine.BatchPlan;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.TinyModelGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batcher on a real ONNX Runtime session of a generated model. */
class MicroBatcherTest {

    private static ModelInput sequence(int length) {
        int[] ids = new int[length];
        Arrays.fill(ids, 5);
        boolean[] mask = new boolean[length];
        Arrays.fill(mask, true);
        return new ModelInput(ids, mask);
    }

    @Test
    void shortSequencesAreNotStarvedByAStreamOfLongerOnes(@TempDir Path dir) throws Exception {
        TinyModelGenerator.generateTiny(dir, GeneratedFamily.WORDPIECE);
        EngineConfig config = EngineConfig.builder(dir).executionProvider(ExecutionProvider.CPU).intraOpThreads(1)
                .maxBatchSequences(4).build();
        try (OnnxTokenClassifier model = new OnnxTokenClassifier(config);
             MicroBatcher batcher = new MicroBatcher(model, 0, config)) {
            AtomicInteger calls = new AtomicInteger();
            batcher.batchListener(b -> calls.incrementAndGet());
            // Keep the queue full of long sequences, with the short one among the first arrivals: every call takes the
            // longest first and the padding floor keeps the short one out of their calls.
            List<CompletableFuture<List<float[]>>> longOnes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                longOnes.add(batcher.submit(List.of(sequence(512))));
            }
            CompletableFuture<List<float[]>> shortOne = batcher.submit(List.of(sequence(20)));
            AtomicLong callsWhenShortDone = new AtomicLong(-1);
            // Waited on below: get() on shortOne can return before this dependent action has run on the batcher thread.
            CompletableFuture<Void> recorded = shortOne.thenRun(() -> callsWhenShortDone.set(calls.get()));
            // Keep about 12 long sequences outstanding until the short one is done (or 400 more were sent).
            AtomicInteger outstanding = new AtomicInteger(8);
            longOnes.forEach(f -> f.whenComplete((r, e) -> outstanding.decrementAndGet()));
            for (int sent = 0; sent < 400 && !shortOne.isDone(); ) {
                if (outstanding.get() < 12) {
                    outstanding.incrementAndGet();
                    CompletableFuture<List<float[]>> f = batcher.submit(List.of(sequence(512)));
                    f.whenComplete((r, e) -> outstanding.decrementAndGet());
                    longOnes.add(f);
                    sent++;
                } else {
                    Thread.sleep(1);
                }
            }
            List<float[]> probs = shortOne.get(30, TimeUnit.SECONDS);
            recorded.get(30, TimeUnit.SECONDS);
            assertEquals(20, probs.get(0).length);
            // Queued behind at most 8 long sequences (2 calls of 4), then its own round: a few calls, not hundreds.
            assertTrue(callsWhenShortDone.get() >= 0 && callsWhenShortDone.get() <= 6, "short sequence waited " + callsWhenShortDone.get() + " calls");
            for (CompletableFuture<List<float[]>> f : longOnes) {
                assertEquals(512, f.get(30, TimeUnit.SECONDS).get(0).length);
            }
        }
    }

    @Test
    void paddingFloorSplitsFullSequencesFromShortRemainders(@TempDir Path dir) throws Exception {
        TinyModelGenerator.generateTiny(dir, GeneratedFamily.WORDPIECE);
        for (double floor : new double[] {0, 0.8}) {
            EngineConfig config = EngineConfig.builder(dir).executionProvider(ExecutionProvider.CPU).intraOpThreads(1)
                    .maxBatchSequences(32).lengthBucket(32)
                    .maxBatchWait(java.time.Duration.ofMillis(200)).minPaddingEfficiency(floor).build();
            try (OnnxTokenClassifier model = new OnnxTokenClassifier(config);
                 MicroBatcher batcher = new MicroBatcher(model, 0, config)) {
                List<Integer> widths = new ArrayList<>();
                batcher.batchListener(b -> widths.add(b.length()));
                List<float[]> out = batcher.submit(List.of(sequence(512), sequence(512), sequence(40), sequence(30)))
                        .get(30, TimeUnit.SECONDS);
                assertEquals(List.of(512, 512, 40, 30), out.stream().map(p -> p.length).toList());
                // With 0.8: the full ones together ((512 + 40) / (2 * 512) = 0.54 would break the floor), then the
                // remainders together ((40 + 30) / (2 * 40) = 0.88), padded to the bucket.
                assertEquals(floor == 0 ? List.of(512) : List.of(512, 64), widths, "call widths with floor " + floor);
                assertTrue(batcher.stats().paddingEfficiency() >= floor);
            }
        }
    }

    @Test
    void onCpuTheDefaultPlanRunsEverySequenceAloneAtItsExactLength(@TempDir Path dir) throws Exception {
        TinyModelGenerator.generateTiny(dir, GeneratedFamily.WORDPIECE);
        EngineConfig config = EngineConfig.builder(dir).executionProvider(ExecutionProvider.CPU).intraOpThreads(1)
                .maxBatchWait(java.time.Duration.ofMillis(200)).build();
        try (OnnxTokenClassifier model = new OnnxTokenClassifier(config);
             MicroBatcher batcher = new MicroBatcher(model, 0, config)) {
            assertEquals(new BatchPlan(1, 1, 1), batcher.plan(), "the CPU plan over the one session it was given");
            List<int[]> calls = new ArrayList<>();
            batcher.batchListener(b -> calls.add(new int[] {b.rows(), b.length()}));
            List<CompletableFuture<List<float[]>>> concurrent = new ArrayList<>();
            for (int length : new int[] {33, 7, 120}) {
                concurrent.add(batcher.submit(List.of(sequence(length), sequence(length + 1))));
            }
            for (CompletableFuture<List<float[]>> f : concurrent) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertEquals(6, calls.size(), "one call per sequence, even with the requests queued together");
            assertEquals(List.of(7, 8, 33, 34, 120, 121), calls.stream().peek(c -> assertEquals(1, c[0]))
                    .map(c -> c[1]).sorted().toList(), "no padding: each call is as long as its sequence");
            assertEquals(1.0, batcher.stats().paddingEfficiency());
        }
    }

    @Test
    void explicitBatchSettingsOverrideTheProvidersPlan(@TempDir Path dir) throws Exception {
        TinyModelGenerator.generateTiny(dir, GeneratedFamily.WORDPIECE);
        EngineConfig config = EngineConfig.builder(dir).executionProvider(ExecutionProvider.CPU).intraOpThreads(1)
                .maxBatchSequences(8).maxBatchWait(java.time.Duration.ofMillis(500)).minPaddingEfficiency(0).build();
        try (OnnxTokenClassifier model = new OnnxTokenClassifier(config);
             MicroBatcher batcher = new MicroBatcher(model, 0, config)) {
            assertEquals(new BatchPlan(8, 1, 1), batcher.plan(), "the bucket stays the provider's: exact length");
            List<int[]> calls = new ArrayList<>();
            batcher.batchListener(b -> calls.add(new int[] {b.rows(), b.length()}));
            batcher.submit(List.of(sequence(50), sequence(45), sequence(10))).get(30, TimeUnit.SECONDS);
            assertEquals(1, calls.size());
            assertEquals(3, calls.get(0)[0]);
            assertEquals(50, calls.get(0)[1], "padded to the longest member only");
        }
    }

    @Test
    void twoSessionsShareOneDocumentsSequencesAndGiveTheOneSessionResults(@TempDir Path dir) throws Exception {
        TinyModelGenerator.generateTiny(dir, GeneratedFamily.WORDPIECE);
        EngineConfig two = EngineConfig.builder(dir).executionProvider(ExecutionProvider.CPU).intraOpThreads(2).build();
        List<ModelInput> document = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int[] ids = new int[100 + 10 * i];
            for (int k = 0; k < ids.length; k++) {
                ids[k] = 5 + (k * 7 + i) % 50;
            }
            boolean[] mask = new boolean[ids.length];
            Arrays.fill(mask, true);
            document.add(new ModelInput(ids, mask));
        }
        List<float[]> alone;
        EngineConfig one = two.toBuilder().intraOpThreads(1).sessions(1).build();
        try (MicroBatcher batcher = new MicroBatcher(OnnxTokenClassifier.openSessions(one), 0, one)) {
            assertEquals(1, batcher.plan().sessions());
            alone = batcher.submit(document).get(30, TimeUnit.SECONDS);
        }
        List<OnnxTokenClassifier> sessions = OnnxTokenClassifier.openSessions(two);
        assertEquals(2, sessions.size(), "the CPU plan: two sessions of one thread each");
        assertTrue(sessions.get(0).sharesSessionWith(sessions.get(1)),
                "sessions of one thread share one ONNX Runtime session");
        try (MicroBatcher batcher = new MicroBatcher(sessions, 0, two)) {
            assertEquals(new BatchPlan(1, 1, 2), batcher.plan());
            java.util.Set<String> workers = java.util.concurrent.ConcurrentHashMap.newKeySet();
            batcher.batchListener(b -> workers.add(Thread.currentThread().getName()));
            List<float[]> shared = batcher.submit(document).get(30, TimeUnit.SECONDS);
            assertEquals(2, workers.size(), "one document's sequences ran on both sessions: " + workers);
            assertEquals(document.size(), shared.size());
            for (int i = 0; i < document.size(); i++) {
                assertTrue(Arrays.equals(alone.get(i), shared.get(i)), "sequence " + i + " in its own place, same bits");
            }
            assertEquals(40, batcher.stats().sequences());
        }
        for (OnnxTokenClassifier s : sessions) {
            assertTrue(assertThrowsClosed(s), "closing the batcher closed every session");
        }
    }

    @Test
    void sessionsOfSeveralThreadsAreTheirOwnAndCloseTogether(@TempDir Path dir) throws Exception {
        TinyModelGenerator.generateTiny(dir, GeneratedFamily.WORDPIECE);
        EngineConfig four = EngineConfig.builder(dir).executionProvider(ExecutionProvider.CPU).intraOpThreads(4)
                .build();
        List<OnnxTokenClassifier> sessions = OnnxTokenClassifier.openSessions(four);
        assertEquals(2, sessions.size());
        assertFalse(sessions.get(0).sharesSessionWith(sessions.get(1)), "two threads per call: a session each");
        try (MicroBatcher batcher = new MicroBatcher(sessions, 0, four)) {
            List<float[]> scored = batcher.submit(List.of(sequence(30), sequence(30))).get(30, TimeUnit.SECONDS);
            assertTrue(Arrays.equals(scored.get(0), scored.get(1)), "the same sequence scores the same on either");
        }
        for (OnnxTokenClassifier s : sessions) {
            assertTrue(assertThrowsClosed(s), "closing the batcher closed both sessions");
        }
    }

    private static boolean assertThrowsClosed(OnnxTokenClassifier s) {
        try {
            s.keepProbabilities(new long[] {5}, new long[] {1}, 1, 1);
            return false;
        } catch (io.flinkllmlingua.engine.EngineClosedException e) {
            return true;
        }
    }
}
