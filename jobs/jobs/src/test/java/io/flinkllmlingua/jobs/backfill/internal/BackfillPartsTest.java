package io.flinkllmlingua.jobs.backfill.internal;

import io.flinkllmlingua.flink.SourceRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.local.LocalDataInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The backfill's small parts: keys and content hashes, the JSON Lines reader, the progress line. */
class BackfillPartsTest {

    private static SourceRecord keyed(ChunkKeys keys, String json) {
        return keys.map(SourceRecord.ofValue("t", 1, json.getBytes(StandardCharsets.UTF_8)));
    }

    private static String header(SourceRecord r, String name) {
        return ChunkKeys.header(r.headerNames, r.headerValues, name);
    }

    @Test
    void contentHashFollowsTextAndResultOptionsOnly() {
        ChunkKeys half = new ChunkKeys(Map.of("llmlingua.rate", "0.5", "llmlingua.threads", "4"));
        ChunkKeys halfOtherThreads = new ChunkKeys(Map.of("llmlingua.rate", "0.5", "llmlingua.threads", "1"));
        ChunkKeys third = new ChunkKeys(Map.of("llmlingua.rate", "0.33"));
        String a = "{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":\"hello world\",\"metadata\":{\"x\":1}}";
        String aOtherMetadata = "{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":\"hello world\",\"metadata\":{\"x\":2}}";
        String b = "{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":\"hello world!\"}";
        String aOwnRate = "{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":\"hello world\",\"rate\":0.2}";

        String h = header(keyed(half, a), ChunkKeys.HASH_HEADER);
        assertEquals(64, h.length());
        assertEquals(h, header(keyed(half, aOtherMetadata), ChunkKeys.HASH_HEADER));
        assertEquals(h, header(keyed(halfOtherThreads, a), ChunkKeys.HASH_HEADER));
        assertNotEquals(h, header(keyed(half, b), ChunkKeys.HASH_HEADER));
        assertNotEquals(h, header(keyed(third, a), ChunkKeys.HASH_HEADER));
        assertNotEquals(h, header(keyed(half, aOwnRate), ChunkKeys.HASH_HEADER));
        assertEquals(ChunkKeys.key("d", "c"), header(keyed(half, a), ChunkKeys.KEY_HEADER));
        assertEquals("d", header(keyed(half, a), ChunkKeys.DOC_HEADER));
    }

    @Test
    void unreadableRecordsKeepTheirBytesAndGetNoHash() {
        ChunkKeys keys = new ChunkKeys(Map.of());
        SourceRecord notJson = keyed(keys, "not json");
        assertNull(header(notJson, ChunkKeys.HASH_HEADER));
        assertNull(header(notJson, ChunkKeys.DOC_HEADER));
        assertArrayEquals("not json".getBytes(StandardCharsets.UTF_8), notJson.value);
        SourceRecord nullText = keyed(keys, "{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":null}");
        assertNull(header(nullText, ChunkKeys.HASH_HEADER));
        assertEquals(ChunkKeys.key("d", "c"), header(nullText, ChunkKeys.KEY_HEADER));
    }

    @Test
    void jsonLinesKeepBytesAndSkipBlankLines(@TempDir Path dir) throws Exception {
        byte[] content = "{\"a\":1}\r\n\n   \n{\"b\":\"\u00e9\"}\n{\"c\":\"x\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        Path f = Files.write(dir.resolve("in.jsonl"), content);
        List<byte[]> lines = new ArrayList<>();
        try (StreamFormat.Reader<byte[]> r = new JsonLineFormat().createReader(new Configuration(),
                new LocalDataInputStream(f.toFile()))) {
            byte[] line;
            while ((line = r.read()) != null) {
                lines.add(line);
            }
        }
        assertEquals(3, lines.size());
        assertEquals("{\"a\":1}", new String(lines.get(0), StandardCharsets.ISO_8859_1));
        assertArrayEquals("{\"c\":\"x\u00ff".getBytes(StandardCharsets.ISO_8859_1), lines.get(2));
        assertEquals(3, JsonLineFormat.countRecords(new ByteArrayInputStream(content)));
    }

    @Test
    void progressLine() {
        assertEquals("backfill: 4,200/10,000 chunks (42%), 1,850 tokens/s, ETA 3m12s",
                Progress.line(4200, 10000, 1850.4, 192));
        assertEquals("backfill: 0/0 chunks, 0 tokens/s, ETA ?", Progress.line(0, 0, 0, -1));
        assertEquals("1h05m", Progress.formatDuration(3900));
    }
}
