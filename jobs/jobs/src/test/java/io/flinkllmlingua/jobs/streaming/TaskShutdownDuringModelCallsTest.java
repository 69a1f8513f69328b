package io.flinkllmlingua.jobs.streaming;

import io.flinkllmlingua.flink.ChunkOutcome;
import io.flinkllmlingua.models.minilm.MiniLmModelBuilder;
import io.flinkllmlingua.testkit.kafka.CommittedRecords;
import io.flinkllmlingua.testkit.kafka.EmbeddedKafkaBroker;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tasks that fail or are cancelled while their engine is in model calls (MiniLM demo model, records of a few
 * hundred tokens, so that calls are running when the task ends): closing the engine used to free the ONNX Runtime
 * session under a running call and crash the JVM, which surefire reports as a crashed fork. Here the job restarts
 * and finishes with every record written once, and cancelled jobs reach CANCELED.
 */
class TaskShutdownDuringModelCallsTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(1)
                    .build());

    private static final String TEXT = "The configuration file is read once at startup. If a value is missing, the "
            + "server falls back to the default listed in the table below, and a warning is written to the log. ";

    @TempDir
    static Path tmp;
    private static EmbeddedKafkaBroker kafka;
    private static Path model;

    @BeforeAll
    static void setUp() throws Exception {
        kafka = EmbeddedKafkaBroker.start();
        model = tmp.resolve("minilm");
        MiniLmModelBuilder.build(model);
    }

    @AfterAll
    static void tearDown() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static JobSettings settings(String id, boolean bounded) {
        JobSettings s = TestJobSettings.of(id, kafka.bootstrapServers(), model, "minilm-demo");
        s.bounded = bounded;
        s.llmlingua.put("llmlingua.async.capacity", "6");
        s.llmlingua.put("llmlingua.batch.max-wait", "5 ms");
        return s;
    }

    /** {@code n} records of about 250 tokens, keyed k0..k(n-1). */
    private static void produce(String topic, int n) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < n; i++) {
                String value = "{\"doc_id\": \"d" + i + "\", \"chunk_id\": \"c\", \"text\": \"" + i + ". "
                        + TEXT.repeat(6) + "\"}";
                producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8))).get();
            }
        }
    }

    @Test
    void failuresDuringModelCallsRestartTheJobWithEveryRecordWrittenOnce() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        JobSettings s = settings(id, true);
        kafka.createTopics(1, s.inputTopic, s.outputTopic, s.deadLetterTopic);
        int records = 30;
        produce(s.inputTopic, records);

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        FailWhileOthersAreInFlight.reset(3);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        CompressionJob.build(env, s, new FailWhileOthersAreInFlight());
        env.execute("fail-during-model-calls-" + id);

        assertEquals(3, FailWhileOthersAreInFlight.INJECTED.get(), "failures injected while records were in flight");
        List<ConsumerRecord<byte[], byte[]>> out = CommittedRecords.readAll(kafka.bootstrapServers(),
                Duration.ofSeconds(30), s.outputTopic, s.deadLetterTopic);
        Map<String, Integer> count = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : out) {
            assertEquals(s.outputTopic, r.topic(), "no dead letter: " + new String(r.value(), StandardCharsets.UTF_8));
            count.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
        }
        assertEquals(records, count.size(), "every record written");
        count.forEach((k, v) -> assertEquals(1, v, k + " written " + v + " times"));
    }

    @Test
    void cancellingWhileRecordsAreInModelCallsEndsTheJobCanceled() throws Exception {
        for (int loop = 0; loop < 3; loop++) {
            String id = UUID.randomUUID().toString().substring(0, 8);
            JobSettings s = settings(id, false);
            kafka.createTopics(1, s.inputTopic, s.outputTopic, s.deadLetterTopic);
            produce(s.inputTopic, 30);
            CountOutcomes.SEEN.set(0);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
            CompressionJob.build(env, s, new CountOutcomes());
            JobClient job = env.executeAsync("cancel-during-model-calls-" + id);
            // Cancel once results flow: the engine is then busy with the records behind them.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (CountOutcomes.SEEN.get() < 1 + loop && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(CountOutcomes.SEEN.get() >= 1 + loop, "the job produced results before the cancel");
            job.cancel().get();
            while (!job.getJobStatus().get().isGloballyTerminalState()) {
                Thread.sleep(50);
            }
            assertEquals(JobStatus.CANCELED, job.getJobStatus().get(), "loop " + loop);
        }
    }

    /** Throws on the second outcome of a run, {@code n} runs in a row: other records are then in model calls. */
    static final class FailWhileOthersAreInFlight implements MapFunction<ChunkOutcome, ChunkOutcome> {
        static final AtomicInteger LEFT = new AtomicInteger();
        static final AtomicInteger INJECTED = new AtomicInteger();
        private int seen;

        static void reset(int failures) {
            LEFT.set(failures);
            INJECTED.set(0);
        }

        @Override
        public ChunkOutcome map(ChunkOutcome value) {
            if (++seen == 2 && LEFT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                INJECTED.incrementAndGet();
                throw new IllegalStateException("injected failure with records in flight");
            }
            return value;
        }
    }

    /** Counts the outcomes that reached the sink's input. */
    static final class CountOutcomes implements MapFunction<ChunkOutcome, ChunkOutcome> {
        static final AtomicInteger SEEN = new AtomicInteger();

        @Override
        public ChunkOutcome map(ChunkOutcome value) {
            SEEN.incrementAndGet();
            return value;
        }
    }
}
