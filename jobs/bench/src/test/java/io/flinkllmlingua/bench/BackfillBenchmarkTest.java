package io.flinkllmlingua.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.testkit.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The benchmark's chunk derivation: its warm-up, derived on its own, starts with the measured chunks and may be longer. */
class BackfillBenchmarkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CORPORA = TestData.corpus("docs-en.jsonl").getParent();

    @Test
    void aLongerDerivationStartsWithTheShorterOneAndKeepsRecordIdsApart(@TempDir Path dir) throws Exception {
        List<String> measured = BackfillBenchmark.derive(CORPORA, 50, 300, dir.resolve("input.jsonl"));
        List<String> warmup = BackfillBenchmark.derive(CORPORA, 3000, 300, dir.resolve("warmup.jsonl"));
        assertEquals(50, measured.size());
        assertEquals(3000, warmup.size());
        assertEquals(measured, warmup.subList(0, 50));
        List<String> inputLines = Files.readAllLines(dir.resolve("input.jsonl"), StandardCharsets.UTF_8);
        List<String> warmupLines = Files.readAllLines(dir.resolve("warmup.jsonl"), StandardCharsets.UTF_8);
        assertEquals(inputLines, warmupLines.subList(0, 50));
        // More chunks than the corpora's pieces: later cycles get their own ids, so no record repeats another's key.
        HashSet<String> ids = new HashSet<>();
        for (String line : warmupLines) {
            JsonNode node = JSON.readTree(line);
            ids.add(node.path("doc_id").asText() + "\u0000" + node.path("chunk_id").asText());
        }
        assertEquals(3000, ids.size());
    }
}
