package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.jobs.streaming.CompressionJobMain;
import io.flinkllmlingua.testkit.kafka.EmbeddedKafkaBroker;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job mains and the SQL runner end with one line naming the topic or the address, instead of hanging, when a
 * topic is missing (real broker, auto-creation off) or the broker is unreachable; a run that starts logs its
 * start-up line.
 */
class KafkaFailFastTest {
    private static EmbeddedKafkaBroker kafka;
    private static Path model;

    @BeforeAll
    static void setUp(@TempDir Path dir) throws Exception {
        kafka = EmbeddedKafkaBroker.start();
        kafka.createTopics(1, "ff-in");
        model = TinyTestModel.create(dir.resolve("model"));
    }

    @AfterAll
    static void tearDown() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static String[] jobArgs(String bootstrap, String... more) {
        java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of("--bootstrap-servers", bootstrap,
                "--input-topic", "ff-in", "--model", model.toString(), "--kafka-check-timeout", "3 s",
                "-Dllmlingua.provider=CPU"));
        a.addAll(java.util.List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void aMissingOutputTopicEndsTheJobMainWithTheTopicNamed() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CompressionJobMain.run(new PrintStream(err, true, StandardCharsets.UTF_8),
                jobArgs(kafka.bootstrapServers(), "--output-topic", "ff-missing-out", "--dead-letter-topic", "ff-missing-dlq"));
        String line = err.toString(StandardCharsets.UTF_8).strip();
        assertEquals(2, code, line);
        assertTrue(line.startsWith("compress-job: Kafka topics 'ff-missing-out', 'ff-missing-dlq' do not exist on "
                + kafka.bootstrapServers()), line);
        assertTrue(line.contains("--create-topics"), line);
        assertEquals(1, line.lines().count(), line);
        assertEquals(Set.of(), topics().stream().filter(t -> t.startsWith("ff-missing-")).collect(
                java.util.stream.Collectors.toSet()), "nothing created without --create-topics");
    }

    @Test
    void anUnreachableBrokerEndsTheJobMainWithTheAddressNamed() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String address = "127.0.0.1:" + closedPort;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CompressionJobMain.run(new PrintStream(err, true, StandardCharsets.UTF_8), jobArgs(address));
        String line = err.toString(StandardCharsets.UTF_8).strip();
        assertEquals(1, code, line);
        assertTrue(line.startsWith("compress-job: error: no Kafka broker reachable at " + address + " within 3 s"), line);
        assertEquals(1, line.lines().count(), line);
        // a zero timeout skips the check (nothing is asked of the closed port)
        KafkaPreflight.check(address, new java.util.Properties(), java.util.List.of("ff-in"), java.time.Duration.ZERO,
                KafkaPreflight.TopicCreation.NONE, "");
    }

    @Test
    void withCreateTopicsTheJobCreatesThemAndLogsItsStartUpLine(@TempDir Path tmp) throws Exception {
        StringWriter log = new StringWriter();
        Logger jobLog = (Logger) LogManager.getLogger(JobLog.class);
        WriterAppender capture = WriterAppender.newBuilder().setName("capture").setTarget(log)
                .setLayout(PatternLayout.newBuilder().withPattern("%msg%n").build()).build();
        capture.start();
        jobLog.addAppender(capture);
        Path checkpoints = Files.createDirectories(tmp.resolve("ff-checkpoints"));
        try {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = CompressionJobMain.run(new PrintStream(err, true, StandardCharsets.UTF_8),
                    jobArgs(kafka.bootstrapServers(), "--output-topic", "ff-created-out", "--dead-letter-topic",
                            "ff-created-dlq", "--create-topics", "--topic-partitions", "2", "--bounded",
                            "--start-from", "EARLIEST", "-p", "1", "--checkpoint-interval", "1 s",
                            "--checkpoint-dir", checkpoints.toString()));
            assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        } finally {
            jobLog.removeAppender(capture);
            capture.stop();
        }
        assertTrue(topics().containsAll(Set.of("ff-created-out", "ff-created-dlq")), topics().toString());
        assertEquals(2, kafka.admin().describeTopics(Set.of("ff-created-out")).allTopicNames().get()
                .get("ff-created-out").partitions().size());
        String started = log.toString().lines().filter(l -> l.startsWith("compress-job: starting:")).findFirst()
                .orElseThrow(() -> new AssertionError("no start-up line in: " + log));
        // the model id defaults to the directory's name
        assertTrue(started.contains("model model (" + model + ")"), started);
        assertTrue(started.contains("provider CPU"), started);
        assertTrue(started.contains("ff-in -> ff-created-out (dead letters: ff-created-dlq"), started);
        assertTrue(started.contains("parallelism 1"), started);
        assertTrue(started.contains("checkpoints every 1s (storage filesystem " + checkpoints.toUri()), started);
    }

    @Test
    void theSqlRunnerRefusesAMissingTopicBeforeTheJobStarts(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("missing.sql");
        Files.writeString(script, String.join("\n",
                "CREATE TEMPORARY TABLE src (t STRING) WITH ('connector' = 'kafka', 'topic' = 'ff-in',",
                "  'properties.bootstrap.servers' = '" + kafka.bootstrapServers() + "', 'format' = 'raw',",
                "  'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');",
                "CREATE TEMPORARY TABLE dst (t STRING) WITH ('connector' = 'kafka', 'topic' = 'ff-sql-missing',",
                "  'properties.bootstrap.servers' = '" + kafka.bootstrapServers() + "', 'format' = 'raw');",
                "INSERT INTO dst SELECT t FROM src;"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new LlmLinguaCli(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of())
                .execute("sql", "--file", script.toString(), "--kafka-check-timeout", "3 s");
        String line = err.toString(StandardCharsets.UTF_8).strip();
        assertEquals(2, code, line + out);
        assertTrue(line.contains("Kafka topic 'ff-sql-missing' does not exist on " + kafka.bootstrapServers()), line);
        assertTrue(line.contains("statement 3 (line 6"), line);
        assertEquals(1, line.lines().count(), line);
        assertTrue(!out.toString(StandardCharsets.UTF_8).contains("submitted"), "no job was submitted: " + out);
    }

    @Test
    void theSqlRunnerNamesAnUnreachableBroker(@TempDir Path dir) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String address = "127.0.0.1:" + closedPort;
        Path script = dir.resolve("unreachable.sql");
        Files.writeString(script, String.join("\n",
                "CREATE TEMPORARY TABLE src (t STRING) WITH ('connector' = 'kafka', 'topic' = 'x',",
                "  'properties.bootstrap.servers' = '" + address + "', 'format' = 'raw');",
                "CREATE TEMPORARY TABLE dst (t STRING) WITH ('connector' = 'blackhole');",
                "INSERT INTO dst SELECT t FROM src;"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new LlmLinguaCli(new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of())
                .execute("sql", "--file", script.toString(), "--kafka-check-timeout", "2 s");
        String line = err.toString(StandardCharsets.UTF_8).strip();
        assertEquals(1, code, line);
        assertTrue(line.contains("no Kafka broker reachable at " + address + " within 2 s"), line);
        assertEquals(1, line.lines().count(), line);
    }

    @Test
    void theBackfillRefusesAMissingKafkaInputTopic(@TempDir Path dir) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = io.flinkllmlingua.jobs.backfill.BackfillJobMain.run(new PrintStream(err, true, StandardCharsets.UTF_8),
                "--source", "kafka", "--bootstrap-servers", kafka.bootstrapServers(), "--input-topic",
                "ff-missing-backfill", "--sink", "jsonl", "--output", dir.resolve("out").toString(), "--failures",
                dir.resolve("failures").toString(), "--model", model.toString());
        String line = err.toString(StandardCharsets.UTF_8).strip();
        assertEquals(2, code, line);
        assertTrue(line.startsWith("backfill: Kafka topic 'ff-missing-backfill' does not exist on "
                + kafka.bootstrapServers()), line);
        assertEquals(1, line.lines().count(), line);
    }

    private static Set<String> topics() {
        try {
            return kafka.admin().listTopics().names().get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
