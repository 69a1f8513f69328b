package io.flinkllmlingua.jobs.streaming;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkllmlingua.flink.RecordCodec;
import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.TinyModelGenerator;
import io.flinkllmlingua.testkit.kafka.CommittedRecords;
import io.flinkllmlingua.testkit.kafka.EmbeddedKafkaBroker;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The size policy through the Kafka job on a real broker: inputs of 1.5 and 5 MiB (the broker and the test's
 * producer accept up to 8 MiB) meet a sink with Kafka's default 1 MiB {@code max.request.size}. Before the policy
 * the 5 MiB dead letter failed the sink with {@code RecordTooLargeException} and the job restarted on it for ever;
 * here the job has no restarts at all, so any sink failure fails the test.
 */
class OversizeRecordsTest {
    private static final int BIG_LIMIT = 8 << 20;
    private static EmbeddedKafkaBroker kafka;
    @TempDir
    static Path model;

    @BeforeAll
    static void setUp() throws Exception {
        kafka = EmbeddedKafkaBroker.builder().brokerProperty("message.max.bytes", BIG_LIMIT)
                .brokerProperty("replica.fetch.max.bytes", BIG_LIMIT).start();
        TinyModelGenerator.generateTiny(model, GeneratedFamily.WORDPIECE);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static byte[] chunk(String chunkId, String text) {
        return ("{\"doc_id\": \"d\", \"chunk_id\": \"" + chunkId + "\", \"text\": \"" + text + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void recordsOverTheSinksLimitBecomeTruncatedDeadLettersAndTheJobGoesOn() throws Exception {
        Map<String, byte[]> inputs = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            inputs.put("before-" + i, chunk("before-" + i, "The quick brown fox jumps over the lazy dog number " + i + "."));
        }
        inputs.put("big-1.5MiB", chunk("big-1.5MiB", "säge ".repeat(1_572_864 / 6)));
        inputs.put("big-5MiB", chunk("big-5MiB", "word ".repeat((5 << 20) / 5)));
        for (int i = 0; i < 10; i++) {
            inputs.put("after-" + i, chunk("after-" + i, "A record behind the big ones, number " + i + ", must not be stuck."));
        }
        JobSettings s = TestJobSettings.of("oversize", kafka.bootstrapServers(), model, "tiny-wordpiece");
        // 5 MiB of in-flight async state: over the in-memory checkpoint storage's 5 MiB limit
        s.checkpointDir = model.resolve("checkpoints").toUri().toString();
        kafka.createTopics(1, s.inputTopic, s.outputTopic, s.deadLetterTopic);
        produceAndRun(s, inputs);

        List<ConsumerRecord<byte[], byte[]>> out = CommittedRecords.readAll(kafka.bootstrapServers(), Duration.ofSeconds(30), s.outputTopic);
        List<ConsumerRecord<byte[], byte[]>> dead = CommittedRecords.readAll(kafka.bootstrapServers(), Duration.ofSeconds(30), s.deadLetterTopic);
        assertEquals(20, out.size(), "every small record compressed, those behind the big ones too");
        assertEquals(2, dead.size(), "one dead letter per big record");
        Map<String, JsonNode> byKey = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            assertTrue(r.serializedValueSize() + r.serializedKeySize() < 1 << 20, "under the sink's limit");
            byKey.put(new String(r.key(), StandardCharsets.UTF_8), RecordCodec.mapper().readTree(r.value()));
        }
        for (String big : List.of("big-1.5MiB", "big-5MiB")) {
            JsonNode d = byKey.get(big);
            assertNotNull(d, big + " has its dead letter");
            byte[] original = inputs.get(big);
            assertEquals("Oversize", d.path("error").path("class").asText());
            assertEquals(big, d.path("chunk_id").asText());
            assertTrue(d.path("value_truncated").asBoolean(), big);
            assertEquals(original.length, d.path("value_bytes").asInt());
            assertEquals(RecordCodec.sha256(original), d.path("value_sha256").asText());
            String prefix = d.path("value").asText();
            int kept = prefix.getBytes(StandardCharsets.UTF_8).length;
            assertTrue(kept > 1_000_000, "most of the limit is the original's prefix: " + kept + " bytes");
            assertTrue(new String(original, StandardCharsets.UTF_8).startsWith(prefix));
        }
        List<String> outIds = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : out) {
            outIds.add(RecordCodec.mapper().readTree(r.value()).path("chunk_id").asText());
        }
        assertTrue(outIds.contains("after-9") && outIds.contains("before-0"), outIds.toString());
    }

    @Test
    void theTopicsSmallerMaxMessageBytesBoundsTheSinkToo() throws Exception {
        int topicLimit = 65_536;
        JobSettings s = TestJobSettings.of("topic-limit", kafka.bootstrapServers(), model, "tiny-wordpiece");
        s.checkpointDir = model.resolve("checkpoints-topic-limit").toUri().toString();
        kafka.createTopics(1, s.inputTopic);
        kafka.admin().createTopics(List.of(s.outputTopic, s.deadLetterTopic).stream()
                .map(t -> new org.apache.kafka.clients.admin.NewTopic(t, 1, (short) 1)
                        .configs(Map.of("max.message.bytes", String.valueOf(topicLimit))))
                .toList()).all().get();
        // What CompressionJobMain does before it builds the job.
        s.topicMessageLimit = io.flinkllmlingua.jobs.cli.KafkaPreflight.smallestMessageLimit(kafka.bootstrapServers(),
                new Properties(), List.of(s.outputTopic, s.deadLetterTopic), Duration.ofSeconds(10)).orElseThrow();
        assertEquals(topicLimit, s.topicMessageLimit);

        Map<String, byte[]> inputs = new java.util.LinkedHashMap<>();
        inputs.put("small", chunk("small", "A small record that fits anywhere."));
        inputs.put("bad-200KB", ("{\"doc_id\": \"d\", \"chunk_id\": \"bad-200KB\", \"text\": 42, \"pad\": \""
                + "x".repeat(200_000) + "\"}").getBytes(StandardCharsets.UTF_8));
        inputs.put("long-300KB", chunk("long-300KB", "Several plain words repeat here. ".repeat(9_000)));
        produceAndRun(s, inputs);

        List<ConsumerRecord<byte[], byte[]>> out = CommittedRecords.readAll(kafka.bootstrapServers(), Duration.ofSeconds(30), s.outputTopic);
        List<ConsumerRecord<byte[], byte[]>> dead = CommittedRecords.readAll(kafka.bootstrapServers(), Duration.ofSeconds(30), s.deadLetterTopic);
        assertEquals(1, out.size(), "only the small record fits the output topic");
        Map<String, JsonNode> byKey = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            assertTrue(r.serializedValueSize() + r.serializedKeySize() < topicLimit, "under the topic's limit");
            byKey.put(new String(r.key(), StandardCharsets.UTF_8), RecordCodec.mapper().readTree(r.value()));
        }
        assertEquals(java.util.Set.of("bad-200KB", "long-300KB"), byKey.keySet());
        assertEquals("InvalidField", byKey.get("bad-200KB").path("error").path("class").asText());
        assertEquals("OutputTooLarge", byKey.get("long-300KB").path("error").path("class").asText());
        for (Map.Entry<String, JsonNode> e : byKey.entrySet()) {
            JsonNode d = e.getValue();
            assertTrue(d.path("value_truncated").asBoolean(), e.getKey());
            assertEquals(RecordCodec.sha256(inputs.get(e.getKey())), d.path("value_sha256").asText());
            assertEquals(inputs.get(e.getKey()).length, d.path("value_bytes").asInt());
        }
    }

    /** Writes {@code inputs} (by key) to the input topic, up to 8 MiB each, and runs the job with no restarts. */
    private static void produceAndRun(JobSettings s, Map<String, byte[]> inputs) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("max.request.size", BIG_LIMIT);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (Map.Entry<String, byte[]> e : inputs.entrySet()) {
                producer.send(new ProducerRecord<>(s.inputTopic, e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue())).get();
            }
        }
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none"); // a sink failure fails the test, never loops
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        CompressionJob.build(env, s);
        env.execute("oversize-" + s.inputTopic);
    }
}
