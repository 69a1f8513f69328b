package io.flinkllmlingua.flink.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.InvalidRequestException;
import io.flinkllmlingua.flink.ChunkOutcome;
import io.flinkllmlingua.flink.ChunkRejectedException;
import io.flinkllmlingua.flink.SourceRecord;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The record formats: input chunk JSON, output (compressed chunk) JSON and dead-letter JSON. See README,
 * "Record schemas".
 */
public final class ChunkCodec {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private final CompressionOptions defaults;
    private final int maxTextBytes;
    private final String modelId;
    private final String modelRevision;
    private final String engineVersion;

    public ChunkCodec(CompressionOptions defaults, int maxTextBytes, String modelId, String modelRevision,
                      String engineVersion) {
        this.defaults = defaults;
        this.maxTextBytes = maxTextBytes;
        this.modelId = modelId;
        this.modelRevision = modelRevision;
        this.engineVersion = engineVersion;
    }

    /** Parses and validates an input value. */
    public ChunkRequest parse(byte[] value) throws ChunkRejectedException {
        if (value == null) {
            throw new ChunkRejectedException("NullValue", "record has no value (tombstone)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(value);
        } catch (IOException e) {
            // Only failing values are checked for UTF-8: good records are decoded once, by the parser.
            if (!isUtf8(value)) {
                throw new ChunkRejectedException("NotUtf8", "value is not UTF-8 text (" + value.length + " bytes)");
            }
            throw new ChunkRejectedException("MalformedJson", "value is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new ChunkRejectedException("NotAnObject", "value must be a JSON object");
        }
        String docId = requiredString(root, "doc_id");
        String chunkId = requiredString(root, "chunk_id");
        JsonNode textNode = root.get("text");
        if (textNode == null || textNode.isNull()) {
            throw new ChunkRejectedException("MissingField", "field 'text' is missing");
        }
        if (!textNode.isTextual()) {
            throw new ChunkRejectedException("InvalidField", "field 'text' must be a string, got " + textNode.getNodeType());
        }
        String text = textNode.asText();
        if (text.isBlank()) {
            throw new ChunkRejectedException("EmptyText", "field 'text' is empty");
        }
        int bytes = utf8Length(text);
        if (bytes > maxTextBytes) {
            throw new ChunkRejectedException("Oversize", "text is " + bytes + " bytes, over the limit of "
                    + maxTextBytes + " (llmlingua.max-text-bytes)");
        }
        JsonNode metadata = root.get("metadata");
        CompressionOptions options = defaults;
        if (root.has("rate") || root.has("target_token") || root.has("force_tokens")) {
            CompressionOptions.Builder b = defaults.toBuilder();
            if (root.has("rate")) {
                JsonNode r = root.get("rate");
                if (!r.isNumber() || r.asDouble() <= 0 || r.asDouble() > 1) {
                    throw new ChunkRejectedException("InvalidField", "field 'rate' must be a number in (0, 1]");
                }
                b.rate(r.asDouble());
            }
            if (root.has("target_token")) {
                JsonNode t = root.get("target_token");
                if (!t.isNumber()) {
                    throw new ChunkRejectedException("InvalidField", "field 'target_token' must be a number");
                }
                b.targetToken(t.asDouble());
            }
            if (root.has("force_tokens")) {
                JsonNode f = root.get("force_tokens");
                if (!f.isArray()) {
                    throw new ChunkRejectedException("InvalidField", "field 'force_tokens' must be an array of strings");
                }
                List<String> tokens = new ArrayList<>();
                for (JsonNode x : f) {
                    if (!x.isTextual()) {
                        throw new ChunkRejectedException("InvalidField", "field 'force_tokens' must hold strings");
                    }
                    tokens.add(x.asText());
                }
                b.forceTokens(tokens);
            }
            try {
                options = b.build();
            } catch (InvalidRequestException e) {
                throw new ChunkRejectedException("InvalidOptions", e.getMessage());
            }
        }
        return new ChunkRequest(docId, chunkId, text, metadata, options);
    }

    private static String requiredString(JsonNode root, String field) throws ChunkRejectedException {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw new ChunkRejectedException("MissingField", "field '" + field + "' is missing");
        }
        if (!n.isTextual() && !n.isNumber()) {
            throw new ChunkRejectedException("InvalidField", "field '" + field + "' must be a string");
        }
        return n.asText();
    }

    /** The output record of a compressed chunk. */
    public ChunkOutcome compressed(SourceRecord in, ChunkRequest req, CompressionResult r) {
        ObjectNode out = JSON.createObjectNode();
        out.put("doc_id", req.docId());
        out.put("chunk_id", req.chunkId());
        out.put("compressed_text", r.compressedPrompt());
        out.put("original_tokens", r.originTokens());
        out.put("compressed_tokens", r.compressedTokens());
        out.put("ratio", r.ratio());
        out.put("rate", r.originTokens() == 0 ? 1.0 : (double) r.compressedTokens() / r.originTokens());
        out.put("model", modelId);
        out.put("model_revision", modelRevision);
        out.put("engine_version", engineVersion);
        ObjectNode source = out.putObject("source");
        source.put("topic", in.topic);
        source.put("partition", in.partition);
        source.put("offset", in.offset);
        if (req.metadata() != null) {
            out.set("metadata", req.metadata());
        }
        ChunkOutcome o = base(in);
        o.value = bytes(out);
        return o;
    }

    /** A dead-letter record carrying the original bytes and the reason. */
    public ChunkOutcome deadLetter(SourceRecord in, String errorClass, String message, int attempts, boolean retryable) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode error = out.putObject("error");
        error.put("class", errorClass);
        error.put("message", message);
        error.put("attempts", attempts);
        ObjectNode source = out.putObject("source");
        source.put("topic", in.topic);
        source.put("partition", in.partition);
        source.put("offset", in.offset);
        source.put("timestamp", in.timestamp);
        putBytes(out, "key", in.key);
        putBytes(out, "value", in.value);
        if (in.headerNames.length > 0) {
            ArrayNode headers = out.putArray("headers");
            for (int i = 0; i < in.headerNames.length; i++) {
                ObjectNode h = headers.addObject();
                h.put("name", in.headerNames[i]);
                putBytes(h, "value", in.headerValues[i]);
            }
        }
        out.put("failed_at", Instant.now().toString());
        out.put("engine_version", engineVersion);
        ChunkOutcome o = base(in);
        o.deadLetter = true;
        o.retryable = retryable;
        o.errorClass = errorClass;
        o.value = bytes(out);
        return o;
    }

    private static void putBytes(ObjectNode node, String field, byte[] data) {
        if (data == null) {
            node.putNull(field);
            return;
        }
        if (isUtf8(data)) {
            node.put(field, new String(data, StandardCharsets.UTF_8));
            node.put(field + "_encoding", "utf-8");
        } else {
            node.put(field, Base64.getEncoder().encodeToString(data));
            node.put(field + "_encoding", "base64");
        }
    }

    private static ChunkOutcome base(SourceRecord in) {
        ChunkOutcome o = new ChunkOutcome();
        o.key = in.key;
        o.headerNames = in.headerNames;
        o.headerValues = in.headerValues;
        o.timestamp = in.timestamp;
        o.sourceTopic = in.topic;
        o.sourcePartition = in.partition;
        o.sourceOffset = in.offset;
        return o;
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    static boolean isUtf8(byte[] data) {
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

    private static int utf8Length(String s) {
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
