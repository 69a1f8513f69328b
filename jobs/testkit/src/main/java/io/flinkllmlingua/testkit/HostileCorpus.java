package io.flinkllmlingua.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Hostile input chunk values, each with the outcome every path must give it: one output, or one dead letter of a
 * given error class (README, "Dead letters"). Values are raw bytes, as a Kafka record value or a JSONL line. Each
 * value is distinct (a dead letter is matched to its case by the SHA-256 of its value); the record-shaped ones use
 * {@code doc_id "hostile"} and the case name as {@code chunk_id}.
 */
public final class HostileCorpus {
    /** The expected outcome class of an output record. */
    public static final String OUTPUT = "output";
    /** JSONL only: a whitespace-only line is not a record but a counted blank line. */
    public static final String BLANK_LINE = "blank line";
    /** {@code llmlingua.max-text-bytes}'s default (LlmLinguaOptions), which the large cases straddle. */
    public static final int MAX_TEXT_BYTES_DEFAULT = 1 << 20;

    /**
     * One case.
     *
     * @param name      unique, also the {@code chunk_id} of the record-shaped cases
     * @param value     the raw value; null for a tombstone
     * @param kafka     the outcome on Kafka ({@link #OUTPUT} or an error class)
     * @param jsonl     the outcome as a JSONL line ({@link #OUTPUT}, {@link #BLANK_LINE}, an error class), or null
     *                  when the value cannot be a line (a tombstone, a value with a {@code \n} byte)
     */
    public record Case(String name, byte[] value, String kafka, String jsonl) {
        public String sha256() {
            return HostileCorpus.sha256(value);
        }

        @Override
        public String toString() {
            return name + " (" + (value == null ? "null" : value.length + " bytes") + ")";
        }
    }

    private HostileCorpus() {}

    /** All cases, in a fixed order. */
    public static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // ---- good records: one output each
        c.add(same("plain", utf8(record("plain", "The quick brown fox jumps over the lazy dog. It was not amused."))));
        c.add(same("unicode", utf8(record("unicode", "Zürich 東京 😀 — naïve café, one more sentence here."))));
        c.add(same("empty-text", utf8(record("empty-text", "")))); // passed through
        c.add(same("control-escapes", utf8(json("control-escapes",
                "\"Nul \\u0000 bell \\u0007 esc \\u001b tab\\tnewline\\nand DEL \\u007f in a sentence.\""))));
        c.add(same("lone-cr-inside", utf8("{\"doc_id\":\"hostile\",\r\"chunk_id\":\"lone-cr-inside\",\r\"text\":"
                + "\"a carriage return\\r separates nothing here\"}")));
        c.add(same("crlf-text-escape", utf8(record("crlf-text-escape", "line one\r\nline two"))));
        c.add(same("unknown-fields", utf8(json("unknown-fields", "\"short text\",\"extra\":{\"a\":[1,2,3]}"))));
        c.add(same("numeric-ids", utf8("{\"doc_id\":7,\"chunk_id\":\"numeric-ids\",\"text\":\"numbers as ids\"}")));
        c.add(same("text-1MiB", utf8(record("text-1MiB", words(MAX_TEXT_BYTES_DEFAULT - 4096)))));
        // ---- value-level problems
        c.add(new Case("tombstone", null, "NullValue", null));
        c.add(new Case("zero-bytes", new byte[0], "EmptyValue", BLANK_LINE));
        c.add(new Case("whitespace", utf8(" \t \t "), "EmptyValue", BLANK_LINE));
        c.add(new Case("whitespace-with-newline", utf8(" \n\t"), "EmptyValue", null));
        c.add(same("invalid-utf8-ff", bytes(utf8(prefix("invalid-utf8-ff")), new byte[] {(byte) 0xFF}, utf8("\"}"))));
        c.add(same("truncated-utf8", bytes(utf8(prefix("truncated-utf8")), new byte[] {(byte) 0xE2, (byte) 0x82},
                utf8("\"}"))));
        c.add(same("overlong-slash", bytes(utf8(prefix("overlong-slash")), new byte[] {(byte) 0xC0, (byte) 0xAF},
                utf8("\"}"))));
        c.add(same("overlong-3-byte", bytes(utf8(prefix("overlong-3-byte")),
                new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, utf8("\"}"))));
        c.add(same("cesu8-surrogates", bytes(utf8(prefix("cesu8-surrogates")), new byte[] {(byte) 0xED, (byte) 0xA0,
                (byte) 0xBD, (byte) 0xED, (byte) 0xB8, (byte) 0x80}, utf8("\"}"))));
        c.add(same("above-u10ffff", bytes(utf8(prefix("above-u10ffff")),
                new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, utf8("\"}"))));
        c.add(same("utf16le", encoded("utf16le", StandardCharsets.UTF_16LE)));
        c.add(same("utf16be", encoded("utf16be", StandardCharsets.UTF_16BE)));
        c.add(same("utf16-bom", encoded("utf16-bom", StandardCharsets.UTF_16))); // FE FF first: not UTF-8
        c.add(same("utf32le", encoded("utf32le", Charset.forName("UTF-32LE"))));
        c.add(same("utf8-bom", bytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                utf8(record("utf8-bom", "a byte order mark first")))));
        // ---- JSON problems
        c.add(same("not-json", utf8("this is not json")));
        c.add(same("trailing-garbage", utf8(record("trailing-garbage", "t") + " x")));
        c.add(same("two-objects", utf8(record("two-objects", "t") + record("two-objects", "u"))));
        c.add(same("unterminated", utf8("{\"doc_id\":\"hostile\",\"chunk_id\":\"unterminated\",\"text\":\"t")));
        c.add(same("duplicate-keys", utf8("{\"doc_id\":\"hostile\",\"chunk_id\":\"duplicate-keys\",\"text\":\"a\","
                + "\"text\":\"b\"}")));
        c.add(same("raw-control-char", utf8("{\"doc_id\":\"hostile\",\"chunk_id\":\"raw-control-char\",\"text\":\"a"
                + '\u0001' + "b\"}")));
        c.add(same("deep-nesting", utf8(json("deep-nesting", "\"t\",\"metadata\":" + "[".repeat(2000)
                + "]".repeat(2000)))));
        c.add(same("number-2000-digits", utf8(json("number-2000-digits", "\"t\",\"rate\":" + "7".repeat(2000)))));
        c.add(same("array", utf8("[{\"doc_id\":\"hostile\"}]")));
        c.add(same("string", utf8("\"just a string\"")));
        c.add(same("number", utf8("42")));
        c.add(same("json-null", utf8("null")));
        // ---- field problems
        c.add(same("missing-text", utf8("{\"doc_id\":\"hostile\",\"chunk_id\":\"missing-text\"}")));
        c.add(same("missing-doc-id", utf8("{\"chunk_id\":\"missing-doc-id\",\"text\":\"t\"}")));
        c.add(same("text-null", utf8("{\"doc_id\":\"hostile\",\"chunk_id\":\"text-null\",\"text\":null}")));
        c.add(same("text-number", utf8("{\"doc_id\":\"hostile\",\"chunk_id\":\"text-number\",\"text\":5}")));
        c.add(same("doc-id-object", utf8("{\"doc_id\":{},\"chunk_id\":\"doc-id-object\",\"text\":\"t\"}")));
        c.add(same("rate-string", utf8(json("rate-string", "\"t\",\"rate\":\"half\""))));
        c.add(same("force-tokens-numbers", utf8(json("force-tokens-numbers", "\"t\",\"force_tokens\":[1,2]"))));
        c.add(same("rate-1e400", utf8(json("rate-1e400", "\"some words to compress\",\"rate\":1e400"))));
        c.add(same("rate-above-1", utf8(json("rate-above-1", "\"some words to compress\",\"rate\":1.5"))));
        // ---- policy
        c.add(same("special-token", utf8(record("special-token", "before <|endoftext|> after"))));
        c.add(same("text-5MiB", utf8(record("text-5MiB", words(5 * MAX_TEXT_BYTES_DEFAULT)))));

        Set<String> names = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (Case x : c) {
            if (!names.add(x.name()) || (x.value() != null && !hashes.add(x.sha256()))) {
                throw new IllegalStateException("duplicate case " + x.name());
            }
        }
        return List.copyOf(c);
    }

    /** The expected outcome classes by case name (the {@link #OUTPUT} or the error class). */
    private static String expected(String name) {
        switch (name) {
            case "plain": case "unicode": case "empty-text": case "control-escapes": case "lone-cr-inside":
            case "crlf-text-escape": case "unknown-fields": case "numeric-ids": case "text-1MiB":
                return OUTPUT;
            case "invalid-utf8-ff": case "truncated-utf8": case "overlong-slash": case "overlong-3-byte":
            case "cesu8-surrogates": case "above-u10ffff": case "utf16-bom":
                return "NotUtf8";
            case "utf16le": case "utf16be": case "utf32le": case "utf8-bom": case "not-json": case "trailing-garbage":
            case "two-objects": case "unterminated": case "duplicate-keys": case "raw-control-char":
                return "MalformedJson";
            case "deep-nesting": case "number-2000-digits":
                return "LimitExceeded";
            case "array": case "string": case "number": case "json-null":
                return "NotAnObject";
            case "missing-text": case "missing-doc-id": case "text-null":
                return "MissingField";
            case "text-number": case "doc-id-object": case "rate-string": case "force-tokens-numbers":
                return "InvalidField";
            case "rate-1e400": case "rate-above-1":
                return "InvalidOptions";
            case "special-token":
                return "InvalidRequest"; // llmlingua.special-tokens defaults to REJECT
            case "text-5MiB":
                return "Oversize";
            default:
                throw new IllegalArgumentException(name);
        }
    }

    /** The cases a JSONL input can hold, as one file: each value one line ending in {@code \n}. */
    public static byte[] jsonl(List<Case> cases) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Case x : cases) {
            if (x.jsonl() != null) {
                out.writeBytes(x.value());
                out.write('\n');
            }
        }
        return out.toByteArray();
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- builders

    private static Case same(String name, byte[] value) {
        String outcome = expected(name);
        boolean line = true;
        for (byte b : value) {
            line &= b != '\n';
        }
        return new Case(name, value, outcome, line ? outcome : null);
    }

    private static String prefix(String chunkId) {
        return "{\"doc_id\":\"hostile\",\"chunk_id\":\"" + chunkId + "\",\"text\":\"bad bytes: ";
    }

    private static String record(String chunkId, String text) {
        return json(chunkId, quote(text));
    }

    private static String json(String chunkId, String textAndMore) {
        return "{\"doc_id\":\"hostile\",\"chunk_id\":\"" + chunkId + "\",\"text\":" + textAndMore + "}";
    }

    private static byte[] encoded(String chunkId, Charset cs) {
        return record(chunkId, "encoded as " + cs.name()).getBytes(cs);
    }

    /** Repeated English sentences, {@code bytes} long (ASCII). */
    private static String words(int bytes) {
        String sentence = "Compression keeps the words that carry the meaning of a long document. ";
        StringBuilder sb = new StringBuilder(bytes);
        while (sb.length() < bytes) {
            sb.append(sentence);
        }
        sb.setLength(bytes);
        return sb.toString();
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
            }
        }
        return sb.append('"').toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
