package io.flinkllmlingua.jobs.backfill.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.flink.SourceRecord;
import org.apache.flink.api.common.functions.MapFunction;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a source record's {@code doc_id}, {@code chunk_id} and content hash, and attaches them as internal headers
 * (the operator passes headers through, so they reach the output step unchanged; {@link OutputEnricher} removes
 * them). Records that cannot be read get a key of their own (their source coordinates): they still go to the
 * operator, which turns them into failures with the reason.
 *
 * <p>The content hash is SHA-256 over the text and every option that changes the compressed result (the job's
 * compression options and the record's own {@code rate}/{@code target_token}/{@code force_tokens}), so that a
 * rerun with another rate recompresses. The model is compared separately (the output's {@code model} field).
 */
public final class ChunkKeys implements MapFunction<SourceRecord, SourceRecord> {
    private static final long serialVersionUID = 1L;

    public static final String KEY_HEADER = "llmlingua.backfill.key";
    public static final String HASH_HEADER = "llmlingua.backfill.content-hash";
    public static final String DOC_HEADER = "llmlingua.backfill.doc-id";
    public static final String CHUNK_HEADER = "llmlingua.backfill.chunk-id";

    /** Job options that change what the engine returns for a text. */
    static final List<String> RESULT_OPTIONS = List.of("llmlingua.rate", "llmlingua.target-token",
            "llmlingua.force-tokens", "llmlingua.force-reserve-digit", "llmlingua.drop-consecutive",
            "llmlingua.render-mode", "llmlingua.batch.pad-to-512", "llmlingua.max-text-bytes");
    private static final List<String> RECORD_OPTIONS = List.of("rate", "target_token", "force_tokens");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String jobFingerprint;

    public ChunkKeys(Map<String, String> llmlinguaOptions) {
        TreeMap<String, String> relevant = new TreeMap<>();
        for (String k : RESULT_OPTIONS) {
            if (llmlinguaOptions.containsKey(k)) {
                relevant.put(k, llmlinguaOptions.get(k));
            }
        }
        this.jobFingerprint = relevant.toString();
    }

    /** The key of a chunk in the target: doc_id and chunk_id, separated by a character JSON text rarely has. */
    public static String key(String docId, String chunkId) {
        return docId + '\u0001' + chunkId;
    }

    @Override
    public SourceRecord map(SourceRecord r) {
        String docId = null;
        String chunkId = null;
        String hash = null;
        if (r.value != null) {
            try {
                // Lossy decoding is enough to find the keys of a row whose text is not valid UTF-8: the operator
                // still sees the original bytes and reports the row as NotUtf8, with its keys.
                JsonNode node = JSON.readTree(new String(r.value, StandardCharsets.UTF_8));
                if (node != null && node.isObject()) {
                    docId = node.path("doc_id").isValueNode() && !node.path("doc_id").isNull() ? node.path("doc_id").asText() : null;
                    chunkId = node.path("chunk_id").isValueNode() && !node.path("chunk_id").isNull() ? node.path("chunk_id").asText() : null;
                    if (node.path("text").isTextual()) {
                        StringBuilder fp = new StringBuilder(jobFingerprint);
                        for (String o : RECORD_OPTIONS) {
                            fp.append('|').append(o).append('=').append(node.path(o));
                        }
                        hash = contentHash(node.path("text").asText(), fp.toString());
                    }
                }
            } catch (Exception e) {
                // not JSON: the operator reports it as MalformedJson
            }
        }
        String key = docId != null && chunkId != null
                ? key(docId, chunkId)
                : "\u0000unkeyed:" + r.topic + ':' + r.partition + ':' + r.offset + ':' + System.identityHashCode(r);
        SourceRecord out = new SourceRecord(r.topic, r.partition, r.offset, r.timestamp, r.key, r.value,
                Arrays.copyOf(r.headerNames, r.headerNames.length + 4),
                Arrays.copyOf(r.headerValues, r.headerValues.length + 4));
        int n = r.headerNames.length;
        set(out, n, KEY_HEADER, key);
        set(out, n + 1, HASH_HEADER, hash);
        set(out, n + 2, DOC_HEADER, docId);
        set(out, n + 3, CHUNK_HEADER, chunkId);
        return out;
    }

    private static void set(SourceRecord r, int i, String name, String value) {
        r.headerNames[i] = name;
        r.headerValues[i] = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    }

    /** Hex SHA-256 of the text and the fingerprint of the options. */
    static String contentHash(String text, String fingerprint) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(text.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(fingerprint.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The value of an internal header, or null. */
    public static String header(String[] names, byte[][] values, String name) {
        for (int i = 0; i < names.length; i++) {
            if (name.equals(names[i])) {
                return values[i] == null ? null : new String(values[i], StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
