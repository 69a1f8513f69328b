package io.flinkllmlingua.flink;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * A record that could not be compressed, on every path (Kafka job, backfill, SQL scripts' dead-letter topics, CLI
 * {@code --errors}): the reason, where it came from, the original key, value and headers (text when they are
 * UTF-8, else base64, as {@code *_encoding} says) and the ids when they could be read (README, "Record schemas").
 * {@code value_bytes} and {@code value_sha256} describe the whole original value, so a consumer can check what it
 * holds; {@code value_truncated} says that {@code value} is only a prefix of it, cut so that the dead letter fits
 * the sink's record limit ({@link RecordSizeLimit}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"doc_id", "chunk_id", "error", "source", "key", "key_encoding", "value", "value_encoding",
        "value_bytes", "value_sha256", "value_truncated", "headers", "failed_at", "engine_version"})
public record DeadLetter(
        @JsonProperty("doc_id") String docId,
        @JsonProperty("chunk_id") String chunkId,
        @JsonProperty("error") Error error,
        @JsonProperty("source") RecordSource source,
        @JsonProperty("key") @JsonInclude(JsonInclude.Include.ALWAYS) String key,
        @JsonProperty("key_encoding") String keyEncoding,
        @JsonProperty("value") @JsonInclude(JsonInclude.Include.ALWAYS) String value,
        @JsonProperty("value_encoding") String valueEncoding,
        @JsonProperty("value_bytes") Integer valueBytes,
        @JsonProperty("value_sha256") String valueSha256,
        @JsonProperty("value_truncated") boolean valueTruncated,
        @JsonProperty("headers") List<Header> headers,
        @JsonProperty("failed_at") String failedAt,
        @JsonProperty("engine_version") String engineVersion) {

    /**
     * Why: {@code errorClass} a short stable name ({@code MalformedJson}, {@code MissingField}, {@code Oversize},
     * {@code InvalidRequest}, {@code EngineFailure}, {@code Timeout}, ...), and the tries made.
     */
    @JsonPropertyOrder({"class", "message", "attempts"})
    public record Error(
            @JsonProperty("class") String errorClass,
            @JsonProperty("message") String message,
            @JsonProperty("attempts") int attempts) {}

    /** One original header. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"name", "value", "value_encoding"})
    public record Header(
            @JsonProperty("name") String name,
            @JsonProperty("value") @JsonInclude(JsonInclude.Include.ALWAYS) String value,
            @JsonProperty("value_encoding") String valueEncoding) {}

    /** The bytes {@code value} holds (decoded from base64 when so encoded); null for a tombstone. */
    public byte[] valueAsBytes() {
        if (value == null) {
            return null;
        }
        return "base64".equals(valueEncoding) ? Base64.getDecoder().decode(value) : value.getBytes(StandardCharsets.UTF_8);
    }

    /** The error class, e.g. {@code MalformedJson}. */
    public String errorClass() {
        return error.errorClass();
    }
}
