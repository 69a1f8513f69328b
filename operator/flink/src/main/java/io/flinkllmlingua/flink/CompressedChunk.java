package io.flinkllmlingua.flink;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.flinkllmlingua.flink.internal.RawJsonDeserializer;

/**
 * A compressed chunk: the output record of every path (Kafka job, backfill, SQL columns, CLI), same field names
 * and units everywhere (README, "Record schemas").
 *
 * <p>Token counts are cl100k_base, as the reference counts them. {@code keptFraction} = compressed / original
 * tokens, a fraction in [0, 1] (never a percentage); {@code ratio} = original / compressed tokens.
 * <ul>
 *   <li>Empty or whitespace-only text (the "empty" case) is passed through: {@code compressedText} is the text,
 *       both counts are its token count, {@code ratio} 1 and {@code keptFraction} 1.</li>
 *   <li>Every word dropped (the "all-dropped" case): {@code compressedText} is empty, {@code compressedTokens} 0,
 *       {@code keptFraction} 0 and {@code ratio} null (there is no finite ratio).</li>
 * </ul>
 *
 * @param contentHash SHA-256 of the text and of the resolved compression options (the backfill's skip key); every
 *                    path writes it, so a backfill recognises what the streaming job wrote
 * @param source      where the input was read, null when the chunk was built in code
 * @param metadata    the input's metadata as JSON text (written as a JSON value), null for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"doc_id", "chunk_id", "compressed_text", "original_tokens", "compressed_tokens", "ratio",
        "kept_fraction", "model", "model_revision", "engine_version", "render_mode", "content_hash", "source",
        "metadata"})
public record CompressedChunk(
        @JsonProperty("doc_id") String docId,
        @JsonProperty("chunk_id") String chunkId,
        @JsonProperty("compressed_text") String compressedText,
        @JsonProperty("original_tokens") int originalTokens,
        @JsonProperty("compressed_tokens") int compressedTokens,
        @JsonProperty("ratio") @JsonInclude(JsonInclude.Include.ALWAYS) Double ratio,
        @JsonProperty("kept_fraction") double keptFraction,
        @JsonProperty("model") String model,
        @JsonProperty("model_revision") String modelRevision,
        @JsonProperty("engine_version") String engineVersion,
        @JsonProperty("render_mode") String renderMode,
        @JsonProperty("content_hash") String contentHash,
        @JsonProperty("source") RecordSource source,
        @JsonProperty("metadata") @JsonRawValue @JsonDeserialize(using = RawJsonDeserializer.class) String metadata) {

    /** {@code original / compressed} tokens; null when nothing was kept of a non-empty text. */
    public static Double ratio(int originalTokens, int compressedTokens) {
        if (compressedTokens == 0) {
            return originalTokens == 0 ? 1.0 : null;
        }
        return (double) originalTokens / compressedTokens;
    }

    /** {@code compressed / original} tokens, in [0, 1]; 1 for a text without tokens. */
    public static double keptFraction(int originalTokens, int compressedTokens) {
        return originalTokens == 0 ? 1.0 : (double) compressedTokens / originalTokens;
    }

    /** True when every word of a non-empty text was dropped. */
    public boolean allDropped() {
        return compressedTokens == 0 && originalTokens > 0;
    }
}
