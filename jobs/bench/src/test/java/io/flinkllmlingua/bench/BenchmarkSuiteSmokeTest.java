package io.flinkllmlingua.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole suite at tiny sizes on the generated tiny model: all five paths (the Node peer where node and npm are
 * installed; otherwise it must say so in the results), every sweep, and the written results.
 */
class BenchmarkSuiteSmokeTest {

    @Test
    void runsEveryPathAndSweepAndWritesTheResults(@TempDir Path tmp) throws Exception {
        SuiteSettings s = new SuiteSettings();
        s.corpus = BenchCorpusTest.corpusFile();
        s.resultsRoot = tmp.resolve("results");
        s.cacheRoot = tmp.resolve("cache");
        s.records.put(BenchModel.TINY, 6);
        s.callers = 4;
        s.warmup = 1;
        s.rounds = 2;
        s.sweepModel = BenchModel.TINY;
        s.sweepRecords = 4;
        s.batchSizes = List.of(1, 4);
        s.chunkWords = List.of(16, 64);
        s.parallelisms = List.of(1);
        s.growthModel = BenchModel.TINY;
        s.documentBytes = List.of(1_000L, 5_000L);
        s.referenceDocumentBytes = List.of(5_000L);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path dir = new BenchmarkSuite(s, "test", new PrintStream(log, true, StandardCharsets.UTF_8)).run();
        String progress = log.toString(StandardCharsets.UTF_8);

        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        JsonNode results = json.path("results");
        assertEquals(6, results.size(), progress);
        java.util.Map<Integer, JsonNode> byPath = new java.util.HashMap<>();
        results.forEach(r -> byPath.put(r.path("path").asInt(), r));
        assertEquals(java.util.Set.of(1, 2, 3, 4, 5, 6), byPath.keySet());
        long tokens = byPath.get(2).path("tokens").asLong();
        assertTrue(tokens > 0);
        // Path 1 replays the engine's calls; on CPU those are path 6's, so it is not run there and says why.
        boolean replayed = byPath.get(1).path("ran").asBoolean();
        boolean bestPlanCalls = byPath.get(2).path("mean_batch").asDouble() == 1.0
                && byPath.get(2).path("padding_efficiency").asDouble() == 1.0;
        boolean onCpu = json.path("environment").toString().contains("ran on CPU");
        assertEquals(!(onCpu && bestPlanCalls), replayed, "path 1 runs unless the engine's calls were the best plan's");
        if (!replayed) {
            assertTrue(byPath.get(1).path("note").asText().contains("path 6 timed"), byPath.get(1).toString());
        }
        for (int path : replayed ? new int[] {1, 2, 3, 4, 6} : new int[] {2, 3, 4, 6}) {
            JsonNode r = byPath.get(path);
            assertTrue(r.path("ran").asBoolean(), r.toString());
            assertEquals(6, r.path("chunks").asInt(), r.toString());
            assertEquals(tokens, r.path("tokens").asLong(), "the same chunks on every path: " + r);
            assertTrue(r.path("tokens_per_s").asDouble() > 0);
        }
        JsonNode engine = byPath.get(2);
        // Paths 2 and 6 alternate rounds and report their fastest round.
        assertTrue(progress.contains("round 2 of 2"), progress);
        assertTrue(engine.path("note").asText().contains("fastest of 2 rounds"), engine.toString());
        assertTrue(byPath.get(6).path("note").asText().contains("fastest of 2 rounds"), byPath.get(6).toString());
        if (onCpu && Runtime.getRuntime().availableProcessors() >= 2) {
            // The CPU plan has two sessions here: path 6 timed the other session plan too and names it.
            String note = byPath.get(6).path("note").asText();
            assertTrue(note.contains("one session of all threads: ") || note.contains("the engine's sessions: "), note);
            assertTrue(engine.path("note").asText().contains("2 sessions"), engine.toString());
        }
        if (replayed) {
            // The replay (1) runs the engine's own batches: same batch sizes and padding.
            assertEquals(engine.path("mean_batch").asDouble(), byPath.get(1).path("mean_batch").asDouble(), 1e-9);
            assertEquals(engine.path("padding_efficiency").asDouble(),
                    byPath.get(1).path("padding_efficiency").asDouble(), 1e-9);
        }
        // The best plan on CPU (6): one sequence per call, no padding; the engine's CPU default is that plan too.
        assertEquals(1.0, byPath.get(6).path("mean_batch").asDouble(), 1e-9);
        assertEquals(1.0, byPath.get(6).path("padding_efficiency").asDouble(), 1e-9);
        assertEquals(1.0, engine.path("padding_efficiency").asDouble(), 1e-9);
        // The naive baseline pads every sequence to 512, one per call: never less padding than the engine's calls.
        assertEquals(1.0, byPath.get(4).path("mean_batch").asDouble(), 1e-9);
        assertTrue(byPath.get(4).path("padding_efficiency").asDouble()
                <= engine.path("padding_efficiency").asDouble() + 1e-12);
        // The sequence lengths for the GPU script: one line per sequence the engine scored.
        List<String> lengths = Files.readAllLines(dir.resolve("sequence-lengths-tiny.txt"));
        assertTrue(lengths.get(0).startsWith("#"));
        assertTrue(lengths.size() - 1 >= 6, "at least one sequence per chunk");
        assertTrue(lengths.stream().skip(1).mapToInt(Integer::parseInt).allMatch(n -> n >= 2 && n <= 512));

        JsonNode peer = byPath.get(5);
        String why = NodePeer.unavailableReason();
        if (why == null) {
            assertTrue(peer.path("ran").asBoolean(), "node and npm are installed, the peer must run: " + peer);
            assertEquals(6, peer.path("chunks").asInt());
            assertTrue(peer.path("peak_rss_bytes").asLong() > 0);
        } else {
            assertTrue(!peer.path("ran").asBoolean() && peer.path("note").asText().startsWith("Node peer not run"),
                    peer.toString());
        }

        assertEquals(2 + 2 + 1 + 2 + 1, json.path("sweeps").size());
        // Small documents are timed over repeated warm calls, each by the compress call alone.
        for (JsonNode sweep : json.path("sweeps")) {
            if (sweep.path("sweep").asText().startsWith("input-size")) {
                JsonNode r = sweep.path("result");
                assertTrue(r.path("note").asText().contains("warm calls"), sweep.toString());
                assertEquals(r.path("p50_ms").asDouble(), r.path("seconds").asDouble() * 1e3, 1e-9, sweep.toString());
            }
        }
        assertTrue(json.path("original_spans_over_reference").path("5000").asDouble() > 0, json.toString());
        assertTrue(json.path("stage_profiles").path("tiny").path("tokenize_ms_per_chunk").asDouble() > 0);
        String md = Files.readString(dir.resolve("results.md"));
        assertTrue(md.contains("| 2/1 engine / model-only |"), md);
        assertTrue(md.contains("| 3/6 Flink job / model-only best plan |"), md);
        assertTrue(md.contains("| 2/6 engine / model-only best plan |"), md);
        for (String png : List.of("throughput-vs-batch-size.png", "throughput-vs-sequence-length.png",
                "throughput-vs-parallelism.png", "cost-vs-input-size.png")) {
            assertTrue(Files.size(dir.resolve(png)) > 1000, png);
        }
        assertTrue(Files.isRegularFile(s.cacheRoot.resolve("models/bench-tiny/model.onnx")));
    }
}
