package io.flinkllmlingua.flink;

import java.util.Arrays;
import java.util.Objects;

/**
 * A raw input record with its source coordinates: the Kafka key, value and headers as bytes, untouched, so a
 * dead letter can carry the original bytes. A Flink POJO.
 */
public class SourceRecord {
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    public byte[] key;
    public byte[] value;
    public String[] headerNames = new String[0];
    public byte[][] headerValues = new byte[0][];

    public SourceRecord() {}

    public SourceRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
                        String[] headerNames, byte[][] headerValues) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
        this.headerNames = headerNames;
        this.headerValues = headerValues;
    }

    /** A record without Kafka coordinates (files, tests). */
    public static SourceRecord ofValue(String topic, long offset, byte[] value) {
        return new SourceRecord(topic, 0, offset, 0L, null, value, new String[0], new byte[0][]);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof SourceRecord)) return false;
        SourceRecord that = (SourceRecord) o;
        return partition == that.partition && offset == that.offset && timestamp == that.timestamp
                && Objects.equals(topic, that.topic) && Arrays.equals(key, that.key)
                && Arrays.equals(value, that.value) && Arrays.equals(headerNames, that.headerNames)
                && Arrays.deepEquals(headerValues, that.headerValues);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
