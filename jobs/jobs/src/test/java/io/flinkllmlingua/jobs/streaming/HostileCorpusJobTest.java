package io.flinkllmlingua.jobs.streaming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.jobs.HostileTally;
import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.TinyModelGenerator;
import io.flinkllmlingua.testkit.HostileCorpus;
import io.flinkllmlingua.testkit.HostileCorpus.Case;
import io.flinkllmlingua.testkit.kafka.CommittedRecords;
import io.flinkllmlingua.testkit.kafka.EmbeddedKafkaBroker;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hostile corpus through the Kafka job (real KRaft broker, MiniCluster, generated model, the default
 * {@code llmlingua.max-text-bytes}): one output or one dead letter per input record, of the right class, each dead
 * letter carrying the original value (SHA-256 compared).
 */
class HostileCorpusJobTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /**
     * Above the 5 MiB case, for the broker and the test's own producer only: the job's sink keeps Kafka's 1 MiB
     * default, so that case's dead letter is cut to fit ({@code value_truncated}, matched by its {@code value_sha256}).
     */
    private static final int MAX_MESSAGE_BYTES = 16 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static EmbeddedKafkaBroker kafka;
    @TempDir
    static Path model;

    @BeforeAll
    static void setUp() throws Exception {
        kafka = EmbeddedKafkaBroker.builder().brokerProperty("message.max.bytes", MAX_MESSAGE_BYTES).start();
        TinyModelGenerator.generateTiny(model, GeneratedFamily.WORDPIECE);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everyHostileRecordGivesOneOutcomeOfItsClass() throws Exception {
        List<Case> cases = HostileCorpus.cases();
        JobSettings s = TestJobSettings.of("hostile", kafka.bootstrapServers(), model, "tiny-wordpiece");
        s.parallelism = 2;
        // 5 MiB of in-flight async state: over the in-memory checkpoint storage's 5 MiB limit
        s.checkpointDir = model.resolve("checkpoints").toUri().toString();
        s.llmlingua.put("llmlingua.batch.max-wait", "20 ms");
        kafka.createTopics(2, s.inputTopic, s.outputTopic, s.deadLetterTopic);

        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("max.request.size", String.valueOf(MAX_MESSAGE_BYTES));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (Case c : cases) {
                producer.send(new ProducerRecord<>(s.inputTopic, c.name().getBytes(StandardCharsets.UTF_8),
                        c.value())).get();
            }
        }

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none"); // a sink failure fails the test, never loops
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        CompressionJob.build(env, s);
        env.execute("hostile-corpus");

        HostileTally tally = new HostileTally(cases, Case::kafka);
        JsonNode fiveMiB = null;
        for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.readAll(kafka.bootstrapServers(),
                Duration.ofSeconds(30), s.outputTopic)) {
            tally.output(JSON.readTree(r.value()));
        }
        for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.readAll(kafka.bootstrapServers(),
                Duration.ofSeconds(30), s.deadLetterTopic)) {
            JsonNode dl = JSON.readTree(r.value());
            if ("text-5MiB".equals(dl.path("chunk_id").asText())) {
                fiveMiB = dl;
            }
            tally.deadLetter(dl);
        }
        System.out.println("Kafka job: " + tally.row());
        tally.assertEachCaseOnceWithItsClass();
        assertEquals("Oversize", fiveMiB == null ? null : fiveMiB.path("error").path("class").asText());
        assertTrue(fiveMiB.path("value_truncated").asBoolean(), "cut to the sink's 1 MiB limit");
    }
}
