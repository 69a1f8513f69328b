package io.flinkllmlingua.testkit.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads what exactly-once writers committed to topics: a {@code read_committed} consumer without a group, from the
 * beginning up to the end offsets as of the call. For the embedded default's summary and for tests.
 */
public final class CommittedRecords {
    private CommittedRecords() {}

    /** A {@code read_committed} byte-array consumer without a consumer group. */
    public static KafkaConsumer<byte[], byte[]> reader(String bootstrapServers) {
        return reader(bootstrapServers, "read_committed");
    }

    /**
     * A byte-array consumer without a consumer group; {@code isolationLevel} {@code read_uncommitted} also sees
     * records of open transactions (progress before the next checkpoint commits them).
     */
    public static KafkaConsumer<byte[], byte[]> reader(String bootstrapServers, String isolationLevel) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("isolation.level", isolationLevel);
        p.put("enable.auto.commit", "false");
        p.put("auto.offset.reset", "earliest");
        return new KafkaConsumer<>(p);
    }

    /** Assigns every partition of the topics and seeks to their beginning; returns the partitions. */
    public static List<TopicPartition> assignFromBeginning(KafkaConsumer<?, ?> consumer, String... topics) {
        List<TopicPartition> parts = new ArrayList<>();
        for (String t : topics) {
            consumer.partitionsFor(t).forEach(pi -> parts.add(new TopicPartition(t, pi.partition())));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        return parts;
    }

    /**
     * Every committed record of the topics, sorted by topic, partition and offset; stops when the end offsets of
     * the call are reached or after {@code timeout}.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrapServers, Duration timeout,
                                                              String... topics) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = reader(bootstrapServers)) {
            List<TopicPartition> parts = assignFromBeginning(c, topics);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(300)).forEach(out::add);
                boolean done = true;
                for (TopicPartition tp : parts) {
                    done &= c.position(tp) >= end.get(tp);
                }
                if (done) {
                    break;
                }
            }
        }
        out.sort(Comparator.<ConsumerRecord<byte[], byte[]>, String>comparing(ConsumerRecord::topic)
                .thenComparingInt(ConsumerRecord::partition).thenComparingLong(ConsumerRecord::offset));
        return out;
    }
}
