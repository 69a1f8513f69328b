package io.flinkllmlingua.testkit.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real KRaft broker in this JVM: lifecycle, Kafka transactions with plain clients, and a Flink job
 * (KafkaSource -> map -> exactly-once KafkaSink) on a MiniCluster.
 */
class EmbeddedKafkaBrokerTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    /** Shared by the transaction and Flink tests; the lifecycle test starts its own. */
    private static EmbeddedKafkaBroker kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @Timeout(60)
    void startsAndStopsTwiceInOneJvmAndFreesItsPortsAndTempDir(@TempDir Path keptDir) throws Exception {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        long rssBefore = rssKb();
        int threadsBefore = Thread.activeCount();

        int brokerPort;
        int controllerPort;
        Path tempDir;
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start()) {
            System.gc();
            long heapAfter = rt.totalMemory() - rt.freeMemory();
            System.out.printf("first start: %d ms, heap +%d MB, RSS +%d MB, threads +%d%n",
                    first.startupTime().toMillis(), (heapAfter - heapBefore) >> 20,
                    (rssKb() - rssBefore) >> 10, Thread.activeCount() - threadsBefore);

            brokerPort = first.brokerPort();
            controllerPort = first.controllerPort();
            tempDir = first.dataDir();
            assertNotEquals(brokerPort, controllerPort);
            assertEquals("127.0.0.1:" + brokerPort, first.bootstrapServers());
            assertTrue(Files.isRegularFile(tempDir.resolve("logs").resolve("meta.properties")), "storage formatted");
            assertTrue(first.startupTime().toMillis() < 15_000, "startup took " + first.startupTime());
            assertEquals(1, first.admin().describeCluster().nodes().get(10, TimeUnit.SECONDS).size());
            assertEquals(first.clusterId(), first.admin().describeCluster().clusterId().get(10, TimeUnit.SECONDS));
            assertPortsInUse(brokerPort, controllerPort);

            first.createTopics(3, "lifecycle");
            first.createTopics(3, "lifecycle"); // already there: left alone
            assertEquals(3, describe(first, "lifecycle").partitions().size());
            // auto.create.topics.enable=false: no topic appears by asking for it
            assertThrows(Exception.class, () -> describe(first, "never-created"));
        }
        assertFalse(Files.exists(tempDir), "temporary data dir deleted on close");
        assertPortsFree(brokerPort, controllerPort);

        // Second start in the same JVM, on the very same ports (proves they were released), with a kept dir.
        String clusterId;
        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.builder()
                .dataDir(keptDir).brokerPort(brokerPort).controllerPort(controllerPort).start()) {
            System.out.printf("second start (same ports): %d ms%n", second.startupTime().toMillis());
            assertEquals(brokerPort, second.brokerPort());
            assertEquals(controllerPort, second.controllerPort());
            clusterId = second.clusterId();
            second.createTopics(1, "kept");
            produce(second, "kept", List.of("survives-a-restart"));
        }
        assertTrue(Files.isDirectory(keptDir.resolve("logs")), "a caller's data dir is kept on close");
        assertPortsFree(brokerPort, controllerPort);

        // Restart on the kept directory: same cluster, the record is still there.
        try (EmbeddedKafkaBroker third = EmbeddedKafkaBroker.start(keptDir)) {
            System.out.printf("restart on existing data: %d ms%n", third.startupTime().toMillis());
            assertEquals(clusterId, third.clusterId());
            assertEquals(List.of("survives-a-restart"), readAll(third, "kept", "read_committed"));
        }
    }

    @Test
    @Timeout(120)
    void afterAwaitGroupCoordinatorTheGroupsFirstCommitSucceedsAtOnce() throws Exception {
        // A broker of its own: on the shared one, earlier tests may have made the offsets topic already.
        try (EmbeddedKafkaBroker fresh = EmbeddedKafkaBroker.start()) {
            fresh.createTopics(1, "coordinated");
            fresh.awaitGroupCoordinator("first-group");
            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, fresh.bootstrapServers());
            c.put(ConsumerConfig.GROUP_ID_CONFIG, "first-group");
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            TopicPartition partition = new TopicPartition("coordinated", 0);
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
                consumer.assign(List.of(partition));
                // An asynchronous commit is not retried: a coordinator still loading would reach the callback.
                CompletableFuture<Exception> outcome = new CompletableFuture<>();
                consumer.commitAsync(Map.of(partition, new OffsetAndMetadata(0)), (offsets, e) -> outcome.complete(e));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!outcome.isDone() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(100));
                }
                assertTrue(outcome.isDone(), "the commit's callback ran");
                assertNull(outcome.get(), "the group's first commit");
                assertEquals(0L, consumer.committed(Set.of(partition)).get(partition).offset());
            }
        }
    }

    @Test
    void requiredBrokerSettingsAreInEffect() throws Exception {
        ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(EmbeddedKafkaBroker.NODE_ID));
        Config config = kafka.admin().describeConfigs(List.of(node)).all().get(10, TimeUnit.SECONDS).get(node);
        Map<String, String> expected = Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("min.insync.replicas", "1"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("transaction.max.timeout.ms", "900000"),
                Map.entry("auto.create.topics.enable", "false"),
                Map.entry("log.segment.bytes", String.valueOf(16 * 1024 * 1024)));
        expected.forEach((key, value) -> assertEquals(value, config.get(key).value(), key));
        String listeners = config.get("listeners").value();
        for (String listener : listeners.split(",")) {
            assertTrue(listener.contains("://127.0.0.1:"), "listener bound to 127.0.0.1 only: " + listeners);
        }
    }

    @Test
    void builderRejectsDerivedSettingsAndBadPorts() {
        for (String key : List.of("listeners", "process.roles", "node.id", "controller.quorum.voters", "log.dirs")) {
            assertThrows(IllegalArgumentException.class, () -> EmbeddedKafkaBroker.builder().brokerProperty(key, "x"), key);
        }
        assertThrows(IllegalArgumentException.class, () -> EmbeddedKafkaBroker.builder().brokerPort(-1));
        assertThrows(IllegalArgumentException.class, () -> EmbeddedKafkaBroker.builder().controllerPort(65536));
        assertThrows(IllegalStateException.class, () -> kafkaClosedBroker().createTopics(1, "x"));
    }

    @Test
    void quietLoggingPutsKafkaLoggersAtWarnUnlessConfigured() {
        // The shared broker was started with the default quietLogging(true); the test log4j2 config does not
        // name the Kafka loggers, so they were set to WARN. Check it under a chatty root logger.
        org.apache.logging.log4j.Level root = org.apache.logging.log4j.LogManager.getRootLogger().getLevel();
        org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.INFO);
        try {
            assertTrue(org.apache.logging.log4j.LogManager.getLogger("io.flinkllmlingua.other").isInfoEnabled());
            for (String name : List.of("kafka.server.BrokerServer", "org.apache.kafka.controller.QuorumController",
                    "org.apache.kafka.clients.producer.ProducerConfig", "state.change.logger")) {
                org.apache.logging.log4j.Logger logger = org.apache.logging.log4j.LogManager.getLogger(name);
                assertFalse(logger.isInfoEnabled(), name + " INFO");
                assertTrue(logger.isWarnEnabled(), name + " WARN");
            }
        } finally {
            org.apache.logging.log4j.core.config.Configurator.setRootLevel(root);
        }
    }

    @Test
    @Timeout(60)
    void readCommittedConsumerSeesCommittedTransactionsOnly() throws Exception {
        String topic = "tx-" + UUID.randomUUID();
        kafka.createTopics(2, topic);

        Properties pp = producerProperties(kafka);
        pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-test-" + UUID.randomUUID());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "committed-a-" + i));
            }
            producer.commitTransaction();

            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "aborted-" + i));
            }
            producer.flush(); // the aborted records really reach the log
            producer.abortTransaction();

            producer.beginTransaction();
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "committed-b-" + i));
            }
            producer.commitTransaction();
        }

        List<String> expected = new ArrayList<>();
        IntStream.range(0, 5).forEach(i -> expected.add("committed-a-" + i));
        IntStream.range(0, 5).forEach(i -> expected.add("committed-b-" + i));

        // A read_committed consumer in a consumer group (exercises the group coordinator and offsets topic).
        Properties cp = consumerProperties(kafka, "read_committed");
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "tx-group-" + UUID.randomUUID());
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!caughtUp(consumer)) {
                assertTrue(System.nanoTime() < deadline, "consumer did not reach the end; saw " + seen);
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    seen.add(r.value());
                }
            }
            consumer.commitSync();
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(consumer.assignment());
            end.forEach((tp, offset) -> assertEquals(offset, committed.get(tp).offset(), "committed offset of " + tp));
        }
        assertEquals(sorted(expected), sorted(seen), "read_committed: exactly the committed records");
        assertEquals(expected.size(), Set.copyOf(seen).size(), "no duplicates");

        // The aborted records are in the log: read_uncommitted sees them.
        List<String> uncommitted = readAll(kafka, topic, "read_uncommitted");
        assertEquals(13, uncommitted.size(), uncommitted.toString());
        assertEquals(3, uncommitted.stream().filter(v -> v.startsWith("aborted-")).count());
    }

    @Test
    @Timeout(60)
    void flinkKafkaSourceToExactlyOnceKafkaSinkOnMiniCluster() throws Exception {
        List<String> out = runFlinkRoundTrip(400, false);
        assertEquals(expectedUpperCase(400), sorted(out), "every record exactly once");
    }

    @Test
    @Timeout(60)
    void flinkExactlyOnceSurvivesATaskFailureAfterACheckpoint() throws Exception {
        List<String> out = runFlinkRoundTrip(400, true);
        assertTrue(FailOnceAfterCheckpoint.FAILED.get(), "the injected failure happened (a checkpoint completed in time)");
        assertTrue(FailOnceAfterCheckpoint.SEEN.get() > 400, "records after the restored checkpoint were replayed: "
                + FailOnceAfterCheckpoint.SEEN.get());
        assertEquals(expectedUpperCase(400), sorted(out), "every record exactly once despite the restart");
    }

    // ------------------------------------------------------------------------------------------------

    /** Produces n records into a fresh topic, runs source -> map(upper case) -> EOS sink, reads the output read_committed. */
    private static List<String> runFlinkRoundTrip(int n, boolean injectFailure) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String in = "flink-in-" + id;
        String out = "flink-out-" + id;
        kafka.createTopics(2, in, out);
        produce(kafka, in, IntStream.range(0, n).mapToObj(i -> "record-" + i).collect(Collectors.toList()));

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, injectFailure ? 3 : 0);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(500);

        KafkaSource<String> source = KafkaSource.<String>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setTopics(in)
                .setGroupId("flink-" + id)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setValueOnlyDeserializer(new SimpleStringSchema())
                .build();
        KafkaSink<String> sink = KafkaSink.<String>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setRecordSerializer(KafkaRecordSerializationSchema.<String>builder()
                        .setTopic(out)
                        .setValueSerializationSchema(new SimpleStringSchema())
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix("rt-" + id)
                .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "120000")
                .build();

        if (injectFailure) {
            FailOnceAfterCheckpoint.reset();
        }
        MapFunction<String, String> map = injectFailure ? new FailOnceAfterCheckpoint() : String::toUpperCase;
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka-in")
                .map(map).returns(String.class).name("upper-case")
                .sinkTo(sink).name("kafka-out");

        long t0 = System.nanoTime();
        env.execute("embedded-kafka-round-trip-" + id);
        System.out.printf("Flink round trip (%d records, failure=%s): %d ms%n", n, injectFailure,
                (System.nanoTime() - t0) / 1_000_000);
        return readAll(kafka, out, "read_committed");
    }

    /**
     * Upper-cases slowly (10 ms a record, about 2 s a subtask, so that 500 ms checkpoints complete while
     * records flow) and throws once, on the first record after a checkpoint completed: Flink then restores
     * from that checkpoint while the sink has an open transaction holding later records.
     */
    static final class FailOnceAfterCheckpoint implements MapFunction<String, String>, CheckpointListener {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
        static final AtomicInteger SEEN = new AtomicInteger();

        static void reset() {
            FAILED.set(false);
            CHECKPOINTED.set(false);
            SEEN.set(0);
        }

        @Override
        public String map(String value) throws Exception {
            Thread.sleep(10);
            SEEN.incrementAndGet();
            if (CHECKPOINTED.get() && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after " + SEEN.get() + " records");
            }
            return value.toUpperCase();
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTED.set(true);
        }
    }

    private static EmbeddedKafkaBroker closedBroker;

    /** A broker that was started and closed (started once, lazily). */
    private static synchronized EmbeddedKafkaBroker kafkaClosedBroker() {
        if (closedBroker == null) {
            closedBroker = EmbeddedKafkaBroker.start();
            closedBroker.close();
            closedBroker.close(); // idempotent
        }
        return closedBroker;
    }

    private static List<String> expectedUpperCase(int n) {
        return sorted(IntStream.range(0, n).mapToObj(i -> "RECORD-" + i).collect(Collectors.toList()));
    }

    private static List<String> sorted(Collection<String> values) {
        return values.stream().sorted().collect(Collectors.toList());
    }

    private static TopicDescription describe(EmbeddedKafkaBroker broker, String topic) throws Exception {
        return broker.admin().describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
    }

    private static Properties producerProperties(EmbeddedKafkaBroker broker) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return p;
    }

    private static Properties consumerProperties(EmbeddedKafkaBroker broker, String isolation) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return p;
    }

    private static void produce(EmbeddedKafkaBroker broker, String topic, List<String> values) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties(broker))) {
            for (String v : values) {
                producer.send(new ProducerRecord<>(topic, v, v));
            }
            producer.flush();
        }
    }

    /** Every record of every partition, read without a group up to the end offset of the isolation level. */
    private static List<String> readAll(EmbeddedKafkaBroker broker, String topic, String isolation) throws Exception {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProperties(broker, isolation))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!caughtUp(consumer)) {
                assertTrue(System.nanoTime() < deadline, "reading " + topic + " did not finish; saw " + values.size());
                consumer.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }

    /** True once the consumer has an assignment and its position reached the end offset of each partition. */
    private static boolean caughtUp(KafkaConsumer<?, ?> consumer) {
        Set<TopicPartition> assignment = consumer.assignment();
        if (assignment.isEmpty()) {
            return false;
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(assignment);
        Map<TopicPartition, Long> position = new HashMap<>();
        for (TopicPartition tp : assignment) {
            position.put(tp, consumer.position(tp));
        }
        return assignment.stream().allMatch(tp -> position.get(tp) >= end.get(tp));
    }

    private static void assertPortsInUse(int... ports) {
        for (int port : ports) {
            assertThrows(IOException.class, () -> new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1")).close(),
                    "port " + port + " should be bound by the broker");
        }
    }

    private static void assertPortsFree(int... ports) throws IOException {
        for (int port : ports) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new java.net.InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            }
        }
    }

    private static long rssKb() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                    .findFirst().orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }
}
