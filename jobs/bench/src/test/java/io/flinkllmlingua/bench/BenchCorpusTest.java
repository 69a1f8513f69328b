package io.flinkllmlingua.bench;

import io.flinkllmlingua.testkit.TestData;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCorpusTest {
    static Path corpusFile() {
        return TestData.corpus("docs-en.jsonl");
    }

    @Test
    void documentsGrowToTheRequestedSizeFromCorpusText() throws Exception {
        BenchCorpus c = BenchCorpus.load(corpusFile(), 10);
        assertEquals(10, c.size());
        for (long bytes : new long[] {1_000, 100_000}) {
            String doc = c.document(bytes);
            long actual = doc.getBytes(StandardCharsets.UTF_8).length;
            assertTrue(Math.abs(actual - bytes) <= 8, bytes + " -> " + actual);
            assertTrue(doc.startsWith(c.texts().get(0).substring(0, 50)));
        }
    }

    @Test
    void chunksOfAFixedNumberOfWords() throws Exception {
        BenchCorpus c = BenchCorpus.load(corpusFile(), 5);
        List<String> texts = c.textsOfWords(64, 7);
        assertEquals(7, texts.size());
        for (String t : texts) {
            assertEquals(64, t.split(" ").length);
        }
    }

    @Test
    void aShortCorpusIsCycledWithDistinctIds() throws Exception {
        BenchCorpus all = BenchCorpus.load(corpusFile(), 0);
        int n = all.size();
        BenchCorpus c = BenchCorpus.load(corpusFile(), n + 3);
        assertEquals(n + 3, c.size());
        assertEquals(all.texts().get(2), c.texts().get(n + 2));
        assertEquals(n + 3, c.lines().stream().map(l -> l.replaceAll(".*\"chunk_id\"\\s*:\\s*\"([^\"]*)\".*", "$1"))
                .distinct().count());
        assertTrue(c.lines().get(n).contains("\"chunk_id\":\"1/"), c.lines().get(n));
    }
}
