package io.flinkllmlingua.flink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.engine.EngineVersion;
import io.flinkllmlingua.flink.ChunkRejectedException;
import io.flinkllmlingua.flink.CompressedChunk;
import io.flinkllmlingua.flink.DeadLetter;
import io.flinkllmlingua.flink.InputChunk;
import io.flinkllmlingua.flink.RecordSource;
import io.flinkllmlingua.flink.SourceRecord;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The one place where records meet bytes: input chunk JSON to {@link InputChunk} (strict: each problem has its error
 * class), and {@link CompressedChunk}, {@link DeadLetter} and {@link InputChunk} to JSON. One ObjectMapper
 * configuration for every path (Kafka job, backfill, CLI; SQL builds the same field names with SQL). See README,
 * "Record schemas".
 */
public final class RecordCodec {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private RecordCodec() {}

    /** The codec's mapper (for tests and tools that read records back). */
    public static ObjectMapper mapper() {
        return JSON;
    }

    // ---- input

    /** Parses the value of {@code origin} into a chunk that remembers its origin. */
    public static InputChunk decode(SourceRecord origin) throws ChunkRejectedException {
        return decode(origin.value).withOrigin(origin);
    }

    /**
     * Parses an input chunk value: THE decoding rule of every path (Kafka job, backfill, CLI). The bytes are first
     * decoded to text as strict RFC 3629 UTF-8 (Java's decoder reports overlong forms, encoded surrogates (CESU-8)
     * and code points above U+10FFFF), then the text is parsed, so the parser never sniffs UTF-16/32. A UTF-8 byte
     * order mark is rejected ({@code MalformedJson}: RFC 8259 forbids adding one). Error classes: {@code NullValue},
     * {@code EmptyValue}, {@code NotUtf8} (with the byte offset), {@code MalformedJson}, {@code LimitExceeded}
     * (Jackson's stream read constraints: nesting depth, number or string length), {@code NotAnObject},
     * {@code MissingField}, {@code InvalidField}. Unknown fields are ignored.
     */
    public static InputChunk decode(byte[] value) throws ChunkRejectedException {
        if (value == null) {
            throw new ChunkRejectedException("NullValue", "record has no value (tombstone)");
        }
        return decode(strictUtf8(value));
    }

    /** As {@link #decode(byte[])}, from a value already decoded as strict UTF-8 (the CLI's plain JSONL lines). */
    public static InputChunk decode(String text) throws ChunkRejectedException {
        return decode(parse(text));
    }

    /**
     * Decodes {@code value} as strict UTF-8 text; {@code NotUtf8} with the byte offset of the first malformed
     * sequence otherwise.
     */
    public static String strictUtf8(byte[] value) throws ChunkRejectedException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(value);
        CharBuffer out = CharBuffer.allocate(value.length);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isUnderflow()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            int at = in.position();
            throw new ChunkRejectedException("NotUtf8", "value is not UTF-8 text: invalid byte sequence "
                    + hex(value, at, r.length()) + " at byte offset " + at + " (of " + value.length + " bytes)");
        }
        return out.flip().toString();
    }

    /**
     * Parses a value's text into its JSON tree: {@code EmptyValue}, {@code MalformedJson} or {@code LimitExceeded}
     * when it cannot be.
     */
    public static JsonNode parse(String text) throws ChunkRejectedException {
        if (isJsonWhitespace(text)) {
            throw new ChunkRejectedException("EmptyValue", text.isEmpty() ? "value is empty (zero bytes)"
                    : "value holds only whitespace (" + text.length() + " characters)");
        }
        if (text.charAt(0) == '\uFEFF') {
            throw new ChunkRejectedException("MalformedJson",
                    "value starts with a byte order mark (U+FEFF); JSON text must not (RFC 8259, 8.1)");
        }
        try {
            return JSON.readTree(text);
        } catch (StreamConstraintsException e) {
            throw new ChunkRejectedException("LimitExceeded", "value exceeds a JSON read limit: "
                    + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            String hint = text.indexOf('\u0000') >= 0
                    ? " (it holds NUL characters: UTF-16 or UTF-32 encoded? Only UTF-8 is accepted)" : "";
            String msg = e instanceof JsonProcessingException ? ((JsonProcessingException) e).getOriginalMessage()
                    : e.getMessage();
            throw new ChunkRejectedException("MalformedJson", "value is not valid JSON: " + firstLine(msg) + hint);
        }
    }

    private static boolean isJsonWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] b, int from, int n) {
        return HexFormat.ofDelimiter(" ").withUpperCase().formatHex(b, from, Math.min(b.length, from + Math.max(1, n)));
    }

    private static InputChunk decode(JsonNode root) throws ChunkRejectedException {
        if (root == null || !root.isObject()) {
            throw new ChunkRejectedException("NotAnObject", "value must be a JSON object");
        }
        String docId = requiredId(root, "doc_id");
        String chunkId = requiredId(root, "chunk_id");
        JsonNode textNode = root.get("text");
        if (textNode == null || textNode.isNull()) {
            throw new ChunkRejectedException("MissingField", "field 'text' is missing");
        }
        if (!textNode.isTextual()) {
            throw new ChunkRejectedException("InvalidField", "field 'text' must be a string, got " + textNode.getNodeType());
        }
        JsonNode metadata = root.get("metadata");
        Double rate = null;
        Double targetToken = null;
        List<String> forceTokens = null;
        JsonNode r = present(root, "rate");
        if (r != null) {
            if (!r.isNumber()) {
                throw new ChunkRejectedException("InvalidField", "field 'rate' must be a number, got " + r.getNodeType());
            }
            rate = r.asDouble();
        }
        JsonNode t = present(root, "target_token");
        if (t != null) {
            if (!t.isNumber()) {
                throw new ChunkRejectedException("InvalidField", "field 'target_token' must be a number");
            }
            targetToken = t.asDouble();
        }
        JsonNode f = present(root, "force_tokens");
        if (f != null) {
            if (!f.isArray()) {
                throw new ChunkRejectedException("InvalidField", "field 'force_tokens' must be an array of strings");
            }
            forceTokens = new ArrayList<>();
            for (JsonNode x : f) {
                if (!x.isTextual()) {
                    throw new ChunkRejectedException("InvalidField", "field 'force_tokens' must hold strings");
                }
                forceTokens.add(x.asText());
            }
        }
        return new InputChunk(docId, chunkId, textNode.asText(),
                metadata == null || metadata.isNull() ? null : metadata.toString(), rate, targetToken,
                forceTokens == null ? null : List.copyOf(forceTokens), null);
    }

    private static JsonNode present(JsonNode root, String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? null : n;
    }

    private static String requiredId(JsonNode root, String field) throws ChunkRejectedException {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw new ChunkRejectedException("MissingField", "field '" + field + "' is missing");
        }
        if (!n.isTextual() && !n.isNumber()) {
            throw new ChunkRejectedException("InvalidField", "field '" + field + "' must be a string");
        }
        return n.asText();
    }

    /**
     * The {@code doc_id} and {@code chunk_id} of a value that failed to decode, when they can be read (decoding
     * invalid UTF-8 with replacement characters); each null when not.
     */
    public static String[] idsOf(byte[] value) {
        String[] ids = new String[2];
        if (value == null) {
            return ids;
        }
        try {
            JsonNode node = JSON.readTree(new String(value, StandardCharsets.UTF_8));
            if (node != null && node.isObject()) {
                ids[0] = id(node.get("doc_id"));
                ids[1] = id(node.get("chunk_id"));
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: no ids
        }
        return ids;
    }

    private static String id(JsonNode n) {
        return n != null && (n.isTextual() || n.isNumber()) ? n.asText() : null;
    }

    // ---- output

    public static byte[] encode(CompressedChunk chunk) {
        return bytes(chunk);
    }

    public static byte[] encode(DeadLetter deadLetter) {
        return bytes(deadLetter);
    }

    public static byte[] encode(InputChunk chunk) {
        return bytes(chunk);
    }

    public static String toJson(Object record) {
        try {
            return JSON.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + record.getClass().getSimpleName(), e);
        }
    }

    public static CompressedChunk readCompressed(byte[] json) throws IOException {
        return JSON.readValue(json, CompressedChunk.class);
    }

    public static DeadLetter readDeadLetter(byte[] json) throws IOException {
        return JSON.readValue(json, DeadLetter.class);
    }

    private static byte[] bytes(Object record) {
        try {
            return JSON.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + record.getClass().getSimpleName(), e);
        }
    }

    /**
     * A dead letter for a record that could not be compressed. The original key, value and headers come from
     * {@code origin}; a chunk built in code (no origin) is written as its JSON value. The ids are the chunk's, else
     * read from the original value when possible.
     */
    public static DeadLetter deadLetter(SourceRecord origin, InputChunk chunk, String errorClass, String message,
                                        int attempts) {
        String docId = chunk != null ? chunk.docId() : null;
        String chunkId = chunk != null ? chunk.chunkId() : null;
        byte[] key = null;
        byte[] value = null;
        List<DeadLetter.Header> headers = null;
        if (origin != null) {
            key = origin.key;
            value = origin.value;
            if (chunk == null) {
                String[] ids = idsOf(origin.value);
                docId = ids[0];
                chunkId = ids[1];
            }
            if (origin.headerNames != null && origin.headerNames.length > 0) {
                headers = new ArrayList<>(origin.headerNames.length);
                for (int i = 0; i < origin.headerNames.length; i++) {
                    byte[] h = origin.headerValues[i];
                    String enc = encoding(h);
                    headers.add(new DeadLetter.Header(origin.headerNames[i], text(h, enc), enc));
                }
            }
        } else if (chunk != null) {
            value = encode(chunk);
        }
        String keyEncoding = encoding(key);
        String valueEncoding = encoding(value);
        return new DeadLetter(docId, chunkId, new DeadLetter.Error(errorClass, message, attempts),
                RecordSource.withTimestamp(origin), text(key, keyEncoding), keyEncoding, text(value, valueEncoding),
                valueEncoding,
                value == null ? null : value.length, value == null ? null : sha256(value), false, headers,
                Instant.now().toString(), EngineVersion.get());
    }

    /** Lower-case hex SHA-256 of {@code data}. */
    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** {@code data} as its {@link #encoding} says: the text itself, or base64. */
    private static String text(byte[] data, String encoding) {
        if (data == null) {
            return null;
        }
        return "utf-8".equals(encoding) ? new String(data, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(data);
    }

    private static String encoding(byte[] data) {
        if (data == null) {
            return null;
        }
        return isUtf8(data) ? "utf-8" : "base64";
    }

    public static boolean isUtf8(byte[] data) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** UTF-8 length of {@code s} without encoding it. */
    public static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
