package io.flinkllmlingua.jobs.streaming;

import io.flinkllmlingua.flink.ChunkOutcome;
import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.TinyModelGenerator;
import io.flinkllmlingua.testkit.TestData;
import io.flinkllmlingua.testkit.kafka.CommittedRecords;
import io.flinkllmlingua.testkit.kafka.EmbeddedKafkaBroker;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stop-with-savepoint while records are in flight, with retries enabled, again and again: each run starts from the
 * previous run's savepoint, reads new records from the embedded Kafka broker and is stopped with a savepoint once
 * results flow (so that the async operator holds records in flight). With Flink's {@code AsyncRetryStrategy} about
 * one stop in five failed the task after the savepoint ({@code RejectedExecutionException ... QUIESCED} from the
 * retry handler's mailbox hand-off); the operator now retries inside its own future. Every stop must succeed and,
 * at the end, every input record must be in the output exactly once (read_committed).
 *
 * <p>Loops: {@code -Dsavepoint.loops} (default 5). By hand, 20 loops:
 * {@code mvn -B -Pcpu verify -pl jobs/jobs -am -Dit.test=StopWithSavepointRetriesIT -Dit.failIfNoSpecifiedTests=false
 * -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dsavepoint.loops=20}.
 */
class StopWithSavepointRetriesIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    private static final int LOOPS = Integer.getInteger("savepoint.loops", 5);
    private static final int RECORDS_PER_LOOP = 150;

    @TempDir
    static Path tmp;
    private static EmbeddedKafkaBroker kafka;
    private static Path model;
    private static List<String> corpus;

    @BeforeAll
    static void setUp() throws Exception {
        kafka = EmbeddedKafkaBroker.start();
        model = tmp.resolve("model");
        TinyModelGenerator.generateTiny(model, GeneratedFamily.WORDPIECE);
        corpus = Files.readAllLines(TestData.corpus("docs-en.jsonl"));
    }

    @AfterAll
    static void tearDown() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everyStopWithSavepointSucceedsAndEveryRecordIsWrittenOnce() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        JobSettings s = TestJobSettings.of(id, kafka.bootstrapServers(), model, "tiny-wordpiece");
        s.bounded = false;
        s.checkpointInterval = Duration.ofSeconds(1);
        s.parallelism = 2;
        s.llmlingua.put("llmlingua.retry.max-attempts", "3");
        s.llmlingua.put("llmlingua.retry.backoff", "50 ms");
        kafka.createTopics(2, s.inputTopic, s.outputTopic, s.deadLetterTopic);
        Path savepoints = tmp.resolve("savepoints");

        String savepoint = null;
        int produced = 0;
        List<String> stops = new ArrayList<>();
        for (int loop = 0; loop < LOOPS; loop++) {
            produce(s.inputTopic, produced, RECORDS_PER_LOOP);
            produced += RECORDS_PER_LOOP;
            JobClient job = start(s, savepoint);
            // Stop once results flow: the operator then holds records in flight (those behind the first results).
            awaitOutcomes(job, 5);
            int seenBeforeStop = CountOutcomes.SEEN.get();
            String location = stopWithSavepoint(job, savepoints);
            assertNotNull(location, "loop " + loop);
            JobStatus status = awaitTerminal(job);
            assertEquals(JobStatus.FINISHED, status, "loop " + loop + ": the job after its stop-with-savepoint");
            stops.add("loop " + loop + ": " + seenBeforeStop + " outcomes when the stop began, " + CountOutcomes.SEEN.get()
                    + " at the end");
            savepoint = location;
        }
        // A last run from the last savepoint writes what is left; it is cancelled once everything is committed.
        JobClient last = start(s, savepoint);
        Map<String, Integer> count = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            count = committedCounts(s);
            if (count.size() == produced) {
                break;
            }
            Thread.sleep(500);
        }
        Thread.sleep(1000); // a duplicate committed late would show in the count below
        count = committedCounts(s);
        last.cancel().get();
        awaitTerminal(last);
        System.out.println("stop-with-savepoint loops: " + LOOPS + " stops succeeded (" + notRunningRetries.get()
                + " triggers retried while a subtask was not yet running); " + String.join("; ", stops));
        assertEquals(produced, count.size(), "every record written");
        count.forEach((k, v) -> assertEquals(1, v, k + " written " + v + " times"));
    }

    private static JobClient start(JobSettings s, String savepoint) throws Exception {
        Configuration conf = new Configuration();
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        CountOutcomes.SEEN.set(0);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        CompressionJob.build(env, s, new CountOutcomes());
        return env.executeAsync("stop-with-savepoint-" + s.inputTopic);
    }

    /**
     * Stops with a savepoint; a trigger refused because a subtask is not running yet (results may flow from one
     * subtask while the other still restores) is retried, as a user would. Any other failure fails the test.
     */
    private static String stopWithSavepoint(JobClient job, Path savepoints) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(120, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                boolean notRunningYet = String.valueOf(e.getMessage()).contains("Not all required tasks are currently running");
                if (!notRunningYet || attempt >= 50) {
                    throw e;
                }
                notRunningRetries.incrementAndGet();
                Thread.sleep(100);
            }
        }
    }

    private static final AtomicInteger notRunningRetries = new AtomicInteger();

    private static void awaitOutcomes(JobClient job, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (CountOutcomes.SEEN.get() < n) {
            assertTrue(System.nanoTime() < deadline, "no results within 60 s");
            JobStatus status = job.getJobStatus().get();
            assertTrue(!status.isGloballyTerminalState(), "job ended before results flowed: " + status);
            Thread.sleep(5);
        }
    }

    private static JobStatus awaitTerminal(JobClient job) throws Exception {
        JobStatus status = job.getJobStatus().get();
        while (!status.isGloballyTerminalState()) {
            Thread.sleep(20);
            status = job.getJobStatus().get();
        }
        return status;
    }

    private static Map<String, Integer> committedCounts(JobSettings s) {
        Map<String, Integer> count = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.readAll(kafka.bootstrapServers(), Duration.ofSeconds(10),
                s.outputTopic, s.deadLetterTopic)) {
            count.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
        }
        return count;
    }

    private static void produce(String topic, int from, int n) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = from; i < from + n; i++) {
                producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8),
                        corpus.get(i % corpus.size()).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    /** Counts the outcomes that reach the sink's input, in this JVM's MiniCluster. */
    static final class CountOutcomes implements MapFunction<ChunkOutcome, ChunkOutcome> {
        static final AtomicInteger SEEN = new AtomicInteger();

        @Override
        public ChunkOutcome map(ChunkOutcome value) {
            SEEN.incrementAndGet();
            return value;
        }
    }
}
