package io.flinkllmlingua.flink;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordSizeLimitTest {
    private static final ToIntFunction<DeadLetter> JSON_SIZE = d -> RecordCodec.encode(d).length;

    private static DeadLetter deadLetter(byte[] value, byte[] key, int headers) {
        SourceRecord origin = new SourceRecord();
        origin.topic = "in";
        origin.value = value;
        origin.key = key;
        origin.headerNames = new String[headers];
        origin.headerValues = new byte[headers][];
        for (int i = 0; i < headers; i++) {
            origin.headerNames[i] = "h" + i;
            origin.headerValues[i] = "header value ".repeat(40).getBytes(StandardCharsets.UTF_8);
        }
        return RecordCodec.deadLetter(origin, null, "Oversize", "text is too long", 1);
    }

    @Test
    void everyDeadLetterDescribesItsWholeValue() {
        byte[] value = "{\"doc_id\": \"d\", \"chunk_id\": \"c\", \"text\": 42}".getBytes(StandardCharsets.UTF_8);
        DeadLetter d = deadLetter(value, null, 0);
        assertEquals(value.length, d.valueBytes());
        assertEquals(RecordCodec.sha256(value), d.valueSha256());
        assertEquals(64, d.valueSha256().length());
        assertFalse(d.valueTruncated());
        assertArrayEquals(value, d.valueAsBytes());
        DeadLetter tombstone = deadLetter(null, null, 0);
        assertNull(tombstone.valueBytes());
        assertNull(tombstone.valueSha256());
    }

    @Test
    void aDeadLetterThatFitsIsUnchanged() {
        DeadLetter d = deadLetter("small".getBytes(StandardCharsets.UTF_8), null, 1);
        assertSame(d, RecordSizeLimit.fit(d, 100_000, JSON_SIZE).orElseThrow());
    }

    @Test
    void aLargeTextValueKeepsAPrefixCutAtACharacterBoundary() {
        // 3-byte characters and characters JSON escapes (quotes, control characters: 6 bytes each)
        String text = ("日本語 \"quoted\" \u0001 ").repeat(20_000);
        byte[] value = text.getBytes(StandardCharsets.UTF_8);
        DeadLetter d = deadLetter(value, "k".getBytes(StandardCharsets.UTF_8), 2);
        for (int limit : new int[] {4096, 10_000, 65_536, 262_144}) {
            DeadLetter f = RecordSizeLimit.fit(d, limit, JSON_SIZE).orElseThrow();
            int size = JSON_SIZE.applyAsInt(f);
            assertTrue(size <= limit, limit + ": " + size);
            assertTrue(size > limit * 0.8, "the prefix uses most of the room: " + size + " of " + limit);
            assertTrue(f.valueTruncated());
            assertEquals("utf-8", f.valueEncoding());
            assertEquals(value.length, f.valueBytes(), "the whole value's length");
            assertEquals(RecordCodec.sha256(value), f.valueSha256(), "the whole value's hash");
            assertTrue(text.startsWith(f.value()), "a prefix of the original, whole characters only");
            assertEquals("k", f.key());
            assertEquals(2, f.headers().size());
        }
    }

    @Test
    void aBinaryValueKeepsAPrefixOfItsBytes() {
        byte[] value = new byte[300_000];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i * 31 + 0x80);
        }
        DeadLetter d = deadLetter(value, null, 0);
        assertEquals("base64", d.valueEncoding());
        DeadLetter f = RecordSizeLimit.fit(d, 50_000, JSON_SIZE).orElseThrow();
        assertTrue(JSON_SIZE.applyAsInt(f) <= 50_000);
        byte[] kept = f.valueAsBytes();
        assertTrue(kept.length > 30_000, "base64 of most of the room: " + kept.length);
        assertArrayEquals(Arrays.copyOf(value, kept.length), kept);
        assertEquals(value.length, f.valueBytes());
    }

    @Test
    void hugeKeyAndHeadersAreDroppedWhenTheValueAloneCannotMakeRoom() {
        byte[] key = "k".repeat(20_000).getBytes(StandardCharsets.UTF_8);
        DeadLetter d = deadLetter("v".repeat(1000).getBytes(StandardCharsets.UTF_8), key, 20);
        Optional<DeadLetter> f = RecordSizeLimit.fit(d, 8192, JSON_SIZE);
        assertTrue(f.isPresent());
        assertNull(f.get().key());
        assertNull(f.get().headers());
        assertTrue(f.get().error().message().contains("key and headers dropped"), f.get().error().message());
        assertTrue(JSON_SIZE.applyAsInt(f.get()) <= 8192);
        assertEquals(1000, f.get().valueBytes());
    }

    @Test
    void nothingFitsInALimitBelowTheMetadata() {
        DeadLetter d = deadLetter("v".getBytes(StandardCharsets.UTF_8), null, 0);
        assertTrue(RecordSizeLimit.fit(d, 50, JSON_SIZE).isEmpty());
    }
}
