package io.flinkllmlingua.flink;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.flinkllmlingua.flink.internal.RawJsonDeserializer;

import java.util.List;

/**
 * One chunk to compress: the input record of every path (Kafka job, backfill, SQL, CLI). Its JSON form is
 * {@code {"doc_id", "chunk_id", "text", "metadata"?, "rate"?, "target_token"?, "force_tokens"?}} (README, "Record
 * schemas").
 *
 * @param docId       the document (required)
 * @param chunkId     the chunk within the document (required)
 * @param text        the text to compress (required; empty or whitespace-only texts are passed through)
 * @param metadata    any JSON value as JSON text, carried unchanged to the output; null for none
 * @param rate        this record's fraction of tokens to keep, or null for the configured rate
 * @param targetToken this record's token budget, or null for the configured one
 * @param forceTokens this record's force tokens, or null for the configured ones
 * @param origin      where the record came from (coordinates and original bytes, for dead letters and sinks);
 *                    null when the chunk was built in code. Not part of the JSON form.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"doc_id", "chunk_id", "text", "metadata", "rate", "target_token", "force_tokens"})
public record InputChunk(
        @JsonProperty("doc_id") String docId,
        @JsonProperty("chunk_id") String chunkId,
        @JsonProperty("text") String text,
        @JsonProperty("metadata") @JsonRawValue @JsonDeserialize(using = RawJsonDeserializer.class) String metadata,
        @JsonProperty("rate") Double rate,
        @JsonProperty("target_token") Double targetToken,
        @JsonProperty("force_tokens") List<String> forceTokens,
        @JsonIgnore SourceRecord origin) {

    /** A chunk built in code, without metadata or per-record overrides. */
    public static InputChunk of(String docId, String chunkId, String text) {
        return new InputChunk(docId, chunkId, text, null, null, null, null, null);
    }

    /** This chunk with {@code metadata} (JSON text, e.g. {@code {"lang":"en"}}). */
    public InputChunk withMetadata(String metadataJson) {
        return new InputChunk(docId, chunkId, text, metadataJson, rate, targetToken, forceTokens, origin);
    }

    /** This chunk with its own rate. */
    public InputChunk withRate(Double rate) {
        return new InputChunk(docId, chunkId, text, metadata, rate, targetToken, forceTokens, origin);
    }

    /** This chunk with its own token budget. */
    public InputChunk withTargetToken(Double targetToken) {
        return new InputChunk(docId, chunkId, text, metadata, rate, targetToken, forceTokens, origin);
    }

    /** This chunk with its own force tokens. */
    public InputChunk withForceTokens(List<String> forceTokens) {
        return new InputChunk(docId, chunkId, text, metadata, rate, targetToken, forceTokens, origin);
    }

    /** This chunk with the record it was read from. */
    public InputChunk withOrigin(SourceRecord origin) {
        return new InputChunk(docId, chunkId, text, metadata, rate, targetToken, forceTokens, origin);
    }
}
