package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.engine.CompressionOptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@code compress} reads its input: lines split at {@code \n} only, strict UTF-8, blank lines counted. */
class RecordReaderTest {
    private static List<InputRecord> read(byte[] input, boolean jsonl, boolean chunks, long[] blank) throws Exception {
        List<InputRecord> out = new ArrayList<>();
        try (RecordReader r = new RecordReader(List.of(RecordReader.STDIN), new ByteArrayInputStream(input), jsonl,
                false, CompressionOptions.defaults()).chunks(chunks)) {
            for (InputRecord x; (x = r.next()) != null; ) {
                out.add(x);
            }
            blank[0] = r.blankLines();
        }
        return out;
    }

    @Test
    void aLoneCarriageReturnStaysInsideItsRecordAndCrLfIsALineEnding() throws Exception {
        byte[] in = ("{\"id\":1,\r\"text\":\"one\"}\r\n\r\n  \t\n{\"id\":2,\"text\":\"two\"}")
                .getBytes(StandardCharsets.UTF_8);
        long[] blank = new long[1];
        List<InputRecord> records = read(in, true, false, blank);
        assertEquals(2, records.size());
        assertNull(records.get(0).error(), records.get(0).error());
        assertEquals(List.of("one"), records.get(0).contexts());
        assertEquals(List.of("two"), records.get(1).contexts());
        assertEquals(4, records.get(1).line(), "blank lines keep their line numbers");
        assertEquals(2, blank[0]);
    }

    @Test
    void invalidUtf8IsAFailedRecordNamingTheOffsetNotReplacementCharacters() throws Exception {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.writeBytes("{\"text\":\"a".getBytes(StandardCharsets.UTF_8));
        in.writeBytes(new byte[] {(byte) 0xC0, (byte) 0xAF});
        in.writeBytes("\"}\n".getBytes(StandardCharsets.UTF_8));
        long[] blank = new long[1];
        List<InputRecord> jsonl = read(in.toByteArray(), true, false, blank);
        assertEquals(1, jsonl.size());
        assertTrue(jsonl.get(0).error().contains("at byte offset 10"), jsonl.get(0).error());

        List<InputRecord> chunk = read(in.toByteArray(), true, true, blank);
        assertEquals("NotUtf8", chunk.get(0).errorClass());
        assertEquals(in.size() - 1, chunk.get(0).origin().value.length, "the line's own bytes, not re-encoded");

        List<InputRecord> plain = read(new byte[] {'h', 'i', (byte) 0xFF}, false, false, blank);
        assertTrue(plain.get(0).error().contains("at byte offset 2"), plain.get(0).error());
    }
}
