package io.flinkllmlingua.flink;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The decoding rule of {@link RecordCodec#decode(byte[])}: strict RFC 3629 UTF-8 (Java's decoder checked on each
 * case), no encoding sniffing, and an error class that names the real problem.
 */
class StrictDecodingTest {
    private static final String GOOD = "{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":\"%s\"}";

    private static ChunkRejectedException reject(byte[] value) {
        return assertThrows(ChunkRejectedException.class, () -> RecordCodec.decode(value));
    }

    /** A good record whose text is {@code textBytes}, raw, in the middle (offset of the text = prefix length). */
    private static byte[] withText(byte... textBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] parts = GOOD.split("%s");
        out.writeBytes(parts[0].getBytes(StandardCharsets.UTF_8));
        out.writeBytes(textBytes);
        out.writeBytes(parts[1].getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static final int TEXT_OFFSET = GOOD.indexOf("%s");

    private static void assertNotUtf8At(byte[] value, int offset) {
        ChunkRejectedException e = reject(value);
        assertEquals("NotUtf8", e.errorClass(), e.getMessage());
        assertTrue(e.getMessage().contains("at byte offset " + offset), e.getMessage());
    }

    @Test
    void javaDecoderRejectsOverlongForms() {
        assertNotUtf8At(withText((byte) 0xC0, (byte) 0xAF), TEXT_OFFSET); // '/' in two bytes
        assertNotUtf8At(withText((byte) 0xC1, (byte) 0xBF), TEXT_OFFSET);
        assertNotUtf8At(withText((byte) 0xE0, (byte) 0x80, (byte) 0xAF), TEXT_OFFSET); // '/' in three bytes
        assertNotUtf8At(withText((byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAF), TEXT_OFFSET); // in four
    }

    @Test
    void javaDecoderRejectsEncodedSurrogatesCesu8() {
        // U+1F600 as CESU-8: the surrogate pair D83D DE00, each as three bytes.
        assertNotUtf8At(withText((byte) 0xED, (byte) 0xA0, (byte) 0xBD, (byte) 0xED, (byte) 0xB8, (byte) 0x80),
                TEXT_OFFSET);
        assertNotUtf8At(withText((byte) 0xED, (byte) 0xB0, (byte) 0x80), TEXT_OFFSET); // a lone low surrogate
    }

    @Test
    void javaDecoderRejectsOutOfRangeAndStrayBytes() {
        assertNotUtf8At(withText((byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80), TEXT_OFFSET); // U+110000
        assertNotUtf8At(withText((byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80), TEXT_OFFSET);
        assertNotUtf8At(withText((byte) 0xFF), TEXT_OFFSET);
        assertNotUtf8At(withText((byte) 0x80), TEXT_OFFSET); // a lone continuation byte
        assertNotUtf8At(withText((byte) 'a', (byte) 0xE2, (byte) 0x82), TEXT_OFFSET + 1); // truncated sequence
    }

    @Test
    void theLargestCodePointsAndFourByteFormsAreAccepted() throws Exception {
        String text = RecordCodec.decode(withText((byte) 0xF4, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF,
                (byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80, (byte) 0xEF, (byte) 0xBF, (byte) 0xBD)).text();
        assertEquals("\uDBFF\uDFFF\uD83D\uDE00\uFFFD", text);
    }

    @Test
    void utf16And32AreNotSniffed() {
        String json = String.format(GOOD, "hello");
        // Without a BOM these are valid UTF-8 (NUL is a code point), so they fail as JSON, never MissingField.
        for (var cs : new java.nio.charset.Charset[] {StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE,
                java.nio.charset.Charset.forName("UTF-32LE"), java.nio.charset.Charset.forName("UTF-32BE")}) {
            ChunkRejectedException e = reject(json.getBytes(cs));
            assertEquals("MalformedJson", e.errorClass(), cs + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("UTF-16 or UTF-32"), e.getMessage());
        }
        // With a BOM (FF FE / FE FF), byte 0 is not UTF-8.
        assertNotUtf8At(json.getBytes(StandardCharsets.UTF_16), 0);
        byte[] le = json.getBytes(StandardCharsets.UTF_16LE);
        byte[] bomLe = new byte[le.length + 2];
        bomLe[0] = (byte) 0xFF;
        bomLe[1] = (byte) 0xFE;
        System.arraycopy(le, 0, bomLe, 2, le.length);
        assertNotUtf8At(bomLe, 0);
    }

    @Test
    void aUtf8ByteOrderMarkIsRejected() {
        byte[] json = String.format(GOOD, "hello").getBytes(StandardCharsets.UTF_8);
        byte[] bom = new byte[json.length + 3];
        bom[0] = (byte) 0xEF;
        bom[1] = (byte) 0xBB;
        bom[2] = (byte) 0xBF;
        System.arraycopy(json, 0, bom, 3, json.length);
        ChunkRejectedException e = reject(bom);
        assertEquals("MalformedJson", e.errorClass());
        assertTrue(e.getMessage().contains("byte order mark"), e.getMessage());
    }

    @Test
    void emptyAndWhitespaceValuesAreEmptyValue() {
        assertEquals("EmptyValue", reject(new byte[0]).errorClass());
        assertEquals("EmptyValue", reject(" \t\r\n ".getBytes(StandardCharsets.UTF_8)).errorClass());
        assertEquals("NullValue", reject(null).errorClass());
    }

    @Test
    void limitsAreDeadLetterReasonsNotExceptions() {
        String deep = "[".repeat(1500) + "]".repeat(1500);
        ChunkRejectedException e = reject(("{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":\"t\",\"x\":" + deep + "}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("LimitExceeded", e.errorClass(), e.getMessage());
        assertTrue(e.getMessage().toLowerCase().contains("nesting depth"), e.getMessage());
        e = reject(("{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":\"t\",\"rate\":" + "9".repeat(2000) + "}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("LimitExceeded", e.errorClass(), e.getMessage());
        // A string over Jackson's default maximum length (20,000,000 characters).
        e = reject(("{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":\"" + "a".repeat(20_000_001) + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("LimitExceeded", e.errorClass(), e.getMessage());
        assertTrue(e.getMessage().contains("String value length"), e.getMessage());
    }

    @Test
    void otherClasses() {
        assertEquals("NotAnObject", reject("[1]".getBytes(StandardCharsets.UTF_8)).errorClass());
        assertEquals("NotAnObject", reject("null".getBytes(StandardCharsets.UTF_8)).errorClass());
        assertEquals("MalformedJson", reject((String.format(GOOD, "t") + "x").getBytes(StandardCharsets.UTF_8))
                .errorClass());
        assertEquals("MalformedJson", reject("{\"doc_id\":\"d\",\"doc_id\":\"e\",\"chunk_id\":\"c\",\"text\":\"t\"}"
                .getBytes(StandardCharsets.UTF_8)).errorClass());
        assertEquals("InvalidField", reject("{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":5}"
                .getBytes(StandardCharsets.UTF_8)).errorClass());
        assertEquals("MissingField", reject("{\"doc_id\":\"d\",\"chunk_id\":\"c\"}"
                .getBytes(StandardCharsets.UTF_8)).errorClass());
    }
}
