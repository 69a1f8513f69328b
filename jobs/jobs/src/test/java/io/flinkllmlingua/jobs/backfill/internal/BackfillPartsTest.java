package io.flinkllmlingua.jobs.backfill.internal;

import io.flinkllmlingua.flink.JsonLines;
import io.flinkllmlingua.flink.ChunkRejectedException;
import io.flinkllmlingua.flink.DeadLetter;
import io.flinkllmlingua.flink.InputChunk;
import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.flink.SourceRecord;
import io.flinkllmlingua.flink.internal.ChunkRuntime;
import io.flinkllmlingua.flink.RecordCodec;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The backfill's small parts: keys and content hashes, the JSON Lines reader, the progress line. */
class BackfillPartsTest {

    private static String hash(Map<String, String> options, String json) throws ChunkRejectedException {
        Map<String, String> o = new HashMap<>(options);
        o.put("llmlingua.model.path", "/nonexistent/model");
        InputChunk c = RecordCodec.decode(SourceRecord.ofValue("t", 1, json.getBytes(StandardCharsets.UTF_8)));
        return ChunkRuntime.contentHash(c, LlmLinguaConfig.fromMap(o));
    }

    @Test
    void contentHashFollowsTextAndResolvedResultOptionsOnly() throws Exception {
        Map<String, String> half = Map.of("llmlingua.rate", "0.5", "llmlingua.threads", "4");
        Map<String, String> halfOtherThreads = Map.of("llmlingua.rate", "0.5", "llmlingua.threads", "1");
        Map<String, String> halfSpelledOtherwise = Map.of("llmlingua.rate", "0.50");
        Map<String, String> defaulted = Map.of();
        Map<String, String> third = Map.of("llmlingua.rate", "0.33");
        String a = "{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":\"hello world\",\"metadata\":{\"x\":1}}";
        String aOtherMetadata = "{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":\"hello world\",\"metadata\":{\"x\":2}}";
        String b = "{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":\"hello world!\"}";
        String aOwnRate = "{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":\"hello world\",\"rate\":0.2}";
        String aOwnDefaultRate = "{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":\"hello world\",\"rate\":0.5}";

        String h = hash(half, a);
        assertEquals(64, h.length());
        assertEquals(h, hash(half, aOtherMetadata));
        assertEquals(h, hash(halfOtherThreads, a));
        assertNotEquals(h, hash(half, b));
        assertNotEquals(h, hash(third, a));
        assertNotEquals(h, hash(half, aOwnRate));
        // Resolved values, not their spelling: 0.50, the default 0.5, a record's own 0.5.
        assertEquals(0.5, io.flinkllmlingua.flink.LlmLinguaOptions.RATE.defaultValue());
        assertEquals(h, hash(halfSpelledOtherwise, a));
        assertEquals(h, hash(defaulted, a));
        assertEquals(h, hash(half, aOwnDefaultRate));
        assertEquals("d", RecordCodec.decode(a.getBytes(StandardCharsets.UTF_8)).docId());
    }

    @Test
    void unreadableRecordsKeepTheirBytesAndIdsWhenReadable() throws Exception {
        SourceRecord notJson = SourceRecord.ofValue("t", 1, "not json".getBytes(StandardCharsets.UTF_8));
        ChunkRejectedException e = assertThrows(ChunkRejectedException.class, () -> RecordCodec.decode(notJson));
        DeadLetter d = RecordCodec.deadLetter(notJson, null, e.errorClass(), e.getMessage(), 1);
        assertEquals("MalformedJson", d.errorClass());
        assertNull(d.docId());
        assertEquals("not json", d.value());
        SourceRecord nullText = SourceRecord.ofValue("t", 2,
                "{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":null}".getBytes(StandardCharsets.UTF_8));
        e = assertThrows(ChunkRejectedException.class, () -> RecordCodec.decode(nullText));
        d = RecordCodec.deadLetter(nullText, null, e.errorClass(), e.getMessage(), 1);
        assertEquals("MissingField", d.errorClass());
        assertEquals("d", d.docId());
        assertEquals("c", d.chunkId());
        assertFalse(RecordCodec.toJson(d).contains("llmlingua.backfill"), "nothing internal in a failure record");
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
        assertEquals(3, JsonLines.countRecords(new ByteArrayInputStream(content)));
    }

    @Test
    void progressLine() {
        assertEquals("backfill: 4,200/10,000 chunks (42%), 1,850 tokens/s, ETA 3m12s",
                Progress.line(4200, 10000, 1850.4, 192));
        assertEquals("backfill: 0/0 chunks, 0 tokens/s, ETA ?", Progress.line(0, 0, 0, -1));
        assertEquals("1h05m", Progress.formatDuration(3900));
    }
}
