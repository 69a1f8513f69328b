package io.flinkllmlingua.flink;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Where an input record was read: {@code {"topic", "partition", "offset"}} (dead letters add {@code "timestamp"}).
 * For JSONL files the topic is {@code file:PATH}, for PostgreSQL rows {@code postgres:TABLE}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"topic", "partition", "offset", "timestamp"})
public record RecordSource(
        @JsonProperty("topic") String topic,
        @JsonProperty("partition") Integer partition,
        @JsonProperty("offset") Long offset,
        @JsonProperty("timestamp") Long timestamp) {

    /** The coordinates of {@code origin} (without the timestamp), or null when there is none. */
    public static RecordSource of(SourceRecord origin) {
        return origin == null ? null : new RecordSource(origin.topic, origin.partition, origin.offset, null);
    }

    /** The coordinates and timestamp of {@code origin}, or null when there is none. */
    public static RecordSource withTimestamp(SourceRecord origin) {
        return origin == null ? null : new RecordSource(origin.topic, origin.partition, origin.offset, origin.timestamp);
    }
}
