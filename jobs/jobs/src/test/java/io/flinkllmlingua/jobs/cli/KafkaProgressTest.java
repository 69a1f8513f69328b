package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.testkit.kafka.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The progress line of a local job run, against a real broker: consumed by group offsets, committed vs written. */
class KafkaProgressTest {

    @Test
    void consumedFollowsTheGroupOffsetsAndWrittenIncludesOpenTransactions() throws Exception {
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
            kafka.createTopics(1, "p-in", "p-out", "p-dlq");
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            p.put("key.serializer", ByteArraySerializer.class.getName());
            p.put("value.serializer", ByteArraySerializer.class.getName());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>("p-in", new byte[] {(byte) i})).get();
                }
                producer.send(new ProducerRecord<>("p-out", new byte[] {1})).get();
                producer.send(new ProducerRecord<>("p-dlq", new byte[] {2})).get();
            }
            Properties c = new Properties();
            c.put("bootstrap.servers", kafka.bootstrapServers());
            c.put("group.id", "p-group");
            c.put("key.deserializer", ByteArrayDeserializer.class.getName());
            c.put("value.deserializer", ByteArrayDeserializer.class.getName());
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
                // what the Kafka source does when a checkpoint completes
                consumer.commitSync(Map.of(new TopicPartition("p-in", 0), new OffsetAndMetadata(3)));
            }
            Properties tx = new Properties();
            tx.putAll(p);
            tx.put("transactional.id", "p-tx");
            try (KafkaProducer<byte[], byte[]> open = new KafkaProducer<>(tx);
                 KafkaProgress progress = new KafkaProgress(kafka.bootstrapServers(), new Properties(), "p-group",
                         "p-in", List.of("p-out", "p-dlq"))) {
                open.initTransactions();
                open.beginTransaction();
                open.send(new ProducerRecord<>("p-out", new byte[] {3})).get();
                open.flush();
                String line = progress.line();
                assertTrue(line.startsWith("input 'p-in': 3 of 5 records consumed as of the last completed checkpoint "
                        + "(group 'p-group'); output p-out + p-dlq: offsets 2 committed, 3 written"), line);
                open.abortTransaction();
            }
        }
    }
}
