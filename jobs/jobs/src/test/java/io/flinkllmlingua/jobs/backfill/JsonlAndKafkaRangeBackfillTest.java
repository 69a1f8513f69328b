package io.flinkllmlingua.jobs.backfill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.flink.LlmLinguaOptions;
import io.flinkllmlingua.testkit.kafka.CommittedRecords;
import io.flinkllmlingua.testkit.kafka.EmbeddedKafkaBroker;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backfill from JSONL files and from a bounded Kafka range, into JSONL files and a Kafka topic, on a real KRaft
 * broker and a Flink MiniCluster: everything compressed once, reruns write nothing, interrupted runs resume.
 */
class JsonlAndKafkaRangeBackfillTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    // the test cluster on 127.0.0.1 only, like every local run
                    .setConfiguration(io.flinkllmlingua.jobs.cli.LocalFlink.loopback(new org.apache.flink.configuration.Configuration()))
                    .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final ObjectMapper JSON = new ObjectMapper();
    private static EmbeddedKafkaBroker kafka;
    private static Path model;
    private static List<String> texts;

    @TempDir
    static Path modelDir;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        kafka = EmbeddedKafkaBroker.start();
        model = BackfillFixtures.tinyModel(modelDir);
        texts = BackfillFixtures.texts();
    }

    @AfterAll
    static void tearDown() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static byte[] record(String docId, String chunkId, String text) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("doc_id", docId);
        n.put("chunk_id", chunkId);
        n.put("text", text);
        n.putObject("metadata").put("lang", "en");
        return JSON.writeValueAsBytes(n);
    }

    /** {@code rows} good records in two files, plus (when asked) four bad lines in the second file. */
    private Path writeJsonl(String name, int rows, boolean bad) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        ByteArrayOutputStream[] files = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
        for (int i = 0; i < rows; i++) {
            ByteArrayOutputStream f = files[i % 2];
            f.write(record("doc-" + i / 10, "doc-" + i / 10 + "#" + i % 10, texts.get(i % texts.size())));
            f.write('\n');
        }
        if (bad) {
            ByteArrayOutputStream f = files[1];
            f.write("{\"doc_id\": \"bad\", \"chunk_id\": \"bad#utf8\", \"text\": \"caf".getBytes(StandardCharsets.UTF_8));
            f.write(new byte[] {(byte) 0xC3, (byte) 0x28});
            f.write("\"}\n".getBytes(StandardCharsets.UTF_8));
            f.write("{\"doc_id\": \"bad\", \"chunk_id\": \"bad#null\", \"text\": null}\n".getBytes(StandardCharsets.UTF_8));
            f.write("{\"doc_id\": \"bad\", \"chunk_id\": \"bad#missing\"}\n".getBytes(StandardCharsets.UTF_8));
            f.write("{\"doc_id\": \"bad\", \"chunk_id\": \n".getBytes(StandardCharsets.UTF_8));
        }
        Files.write(dir.resolve("part-a.jsonl"), files[0].toByteArray());
        Files.write(dir.resolve("part-b.jsonl"), files[1].toByteArray());
        return dir;
    }

    /** The JSON records in the visible files under {@code dir} (FileSink's in-progress files are hidden). */
    private static List<JsonNode> readJsonl(Path dir) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))::iterator) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) {
                        out.add(JSON.readTree(line));
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, Integer> countByKey(List<JsonNode> records) {
        Map<String, Integer> n = new HashMap<>();
        for (JsonNode r : records) {
            n.merge(r.path("doc_id").asText() + "/" + r.path("chunk_id").asText(), 1, Integer::sum);
        }
        return n;
    }

    private static List<JsonNode> topic(String name) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.readAll(kafka.bootstrapServers(), Duration.ofSeconds(30), name)) {
            out.add(JSON.readTree(r.value()));
        }
        return out;
    }

    private static long endOffsets(String topic) {
        try {
            Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
            int partitions = kafka.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            for (int p = 0; p < partitions; p++) {
                spec.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            return kafka.admin().listOffsets(spec).all().get().values().stream().mapToLong(i -> i.offset()).sum();
        } catch (Exception e) {
            return 0;
        }
    }

    private static BackfillSettings kafkaSink(BackfillSettings s, String name) {
        s.sink = BackfillSettings.SinkKind.KAFKA;
        s.bootstrapServers = kafka.bootstrapServers();
        s.outputTopic = name + "-out";
        s.failuresTopic = name + "-failures";
        return s;
    }

    @Test
    void jsonlToJsonlCompressesAllReportsBadLinesAndRerunIsNoOp() throws Exception {
        Path input = writeJsonl("in-a", 1000, true);
        BackfillSettings s = BackfillFixtures.settings(model);
        s.source = BackfillSettings.SourceKind.JSONL;
        s.inputPath = input.toString();
        s.sink = BackfillSettings.SinkKind.JSONL;
        s.outputPath = tmp.resolve("out-a").toString();
        s.failuresPath = tmp.resolve("failures-a").toString();
        s.reportFile = tmp.resolve("report.json");
        BackfillReport first = BackfillJob.run(StreamExecutionEnvironment.getExecutionEnvironment(), s);

        assertEquals(1004, first.total);
        assertEquals(1000, first.compressed, first.summary());
        assertEquals(4, first.failed, first.summary());
        List<JsonNode> out = readJsonl(tmp.resolve("out-a"));
        Map<String, Integer> keys = countByKey(out);
        assertEquals(1000, keys.size());
        assertTrue(keys.values().stream().allMatch(n -> n == 1));
        for (JsonNode r : out) {
            assertEquals(64, r.path("content_hash").asText().length(), r.toString());
            assertEquals("tiny-test", r.path("model").asText());
            assertEquals("en", r.path("metadata").path("lang").asText());
        }
        Map<String, String> failures = new HashMap<>();
        for (JsonNode f : readJsonl(tmp.resolve("failures-a"))) {
            failures.put(f.path("chunk_id").asText(null), f.path("error").path("class").asText());
            assertFalse(f.path("value").asText().isEmpty(), f.toString());
        }
        assertEquals(Map.of("bad#utf8", "NotUtf8", "bad#null", failures.get("bad#null"),
                "bad#missing", "MissingField"), Map.of("bad#utf8", failures.get("bad#utf8"),
                "bad#null", failures.get("bad#null"), "bad#missing", failures.get("bad#missing")));
        assertTrue(failures.containsKey(null), "the malformed line, without keys: " + failures);
        assertEquals("MalformedJson", failures.get(null));
        JsonNode report = JSON.readTree(s.reportFile.toFile());
        assertEquals(1000, report.path("compressed").asLong());
        assertEquals(first.tokensIn, report.path("tokens_in").asLong());

        // The rerun states the options differently: the rate left to its default (the first run spelled it out),
        // the defaults of the force tokens, render mode and token budget spelled out. The content hash covers the
        // resolved options, so nothing is compressed again.
        BackfillSettings again = BackfillFixtures.settings(model);
        assertEquals("0.5", again.llmlingua.remove("llmlingua.rate"));
        assertEquals(0.5, LlmLinguaOptions.RATE.defaultValue());
        again.llmlingua.put(LlmLinguaOptions.FORCE_TOKENS.key(), LlmLinguaOptions.FORCE_TOKENS.defaultValue().stream()
                .map(io.flinkllmlingua.engine.TextEscapes::escape).collect(java.util.stream.Collectors.joining(";")));
        again.llmlingua.put(LlmLinguaOptions.RENDER_MODE.key(), LlmLinguaOptions.RENDER_MODE.defaultValue().name());
        again.llmlingua.put(LlmLinguaOptions.TARGET_TOKEN.key(), "-1.00");
        again.source = s.source;
        again.inputPath = s.inputPath;
        again.sink = s.sink;
        again.outputPath = s.outputPath;
        again.failuresPath = s.failuresPath;
        BackfillReport second = BackfillJob.run(StreamExecutionEnvironment.getExecutionEnvironment(), again);
        assertEquals(1000, second.skippedUpToDate, second.summary());
        assertEquals(0, second.compressed);
        assertEquals(1000, readJsonl(tmp.resolve("out-a")).size(), "the rerun wrote no output");
    }

    @Test
    void jsonlInterruptedRunRestartedCompressesEachChunkOnce() throws Exception {
        Path input = writeJsonl("in-b", 1200, false);
        BackfillSettings s = kafkaSink(BackfillFixtures.settings(model), "jsonl-b");
        s.source = BackfillSettings.SourceKind.JSONL;
        s.inputPath = input.toString();
        runInterruptedThenResume(s, 1200);
    }

    @Test
    void kafkaRangeFromOffsetsCompressesOnlyTheRangeAndRerunIsNoOp() throws Exception {
        String in = "range-a";
        kafka.createTopics(2, in);
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 60; i++) {
                producer.send(new ProducerRecord<>(in, i % 2, null, record("old", "old#" + i, texts.get(i)))).get();
            }
            for (int i = 0; i < 1200; i++) {
                producer.send(new ProducerRecord<>(in, i % 2, null, record("doc-" + i / 10, "doc-" + i / 10 + "#" + i % 10,
                        texts.get(i % texts.size()))));
            }
            producer.send(new ProducerRecord<>(in, 0, null, "not json".getBytes(StandardCharsets.UTF_8)));
            producer.send(new ProducerRecord<>(in, 1, null, new byte[] {'{', (byte) 0xFF, '}'})).get();
        }
        BackfillSettings s = kafkaSink(BackfillFixtures.settings(model), "range-a");
        s.source = BackfillSettings.SourceKind.KAFKA;
        s.inputTopic = in;
        s.kafkaStart = "offsets:0=30,1=30";
        BackfillReport first = BackfillJob.run(StreamExecutionEnvironment.getExecutionEnvironment(), s);
        assertEquals(1202, first.total);
        assertEquals(1200, first.compressed, first.summary());
        assertEquals(2, first.failed, first.summary());
        List<JsonNode> out = topic("range-a-out");
        Map<String, Integer> keys = countByKey(out);
        assertEquals(1200, keys.size());
        assertTrue(keys.keySet().stream().noneMatch(k -> k.startsWith("old/")));
        assertTrue(keys.values().stream().allMatch(n -> n == 1));
        List<JsonNode> failures = topic("range-a-failures");
        assertEquals(2, failures.size());
        assertNull(failures.get(0).path("doc_id").textValue());

        BackfillSettings again = kafkaSink(BackfillFixtures.settings(model), "range-a");
        again.source = BackfillSettings.SourceKind.KAFKA;
        again.inputTopic = in;
        again.kafkaStart = "offsets:0=30,1=30";
        BackfillReport second = BackfillJob.run(StreamExecutionEnvironment.getExecutionEnvironment(), again);
        assertEquals(1200, second.skippedUpToDate, second.summary());
        assertEquals(0, second.compressed);
        assertEquals(1200, endOffsets("range-a-out"), "the rerun wrote nothing to the output topic");
    }

    @Test
    void kafkaRangeInterruptedRunRestartedCompressesEachChunkOnce() throws Exception {
        String in = "range-b";
        kafka.createTopics(2, in);
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
            for (int i = 0; i < 1200; i++) {
                sent.add(producer.send(new ProducerRecord<>(in, i % 2, null, record("doc-" + i / 10,
                        "doc-" + i / 10 + "#" + i % 10, texts.get(i % texts.size())))));
            }
            producer.flush();
            for (java.util.concurrent.Future<?> f : sent) {
                f.get(); // a record the input topic never got fails here, not as a miscount of the backfill
            }
        }
        BackfillSettings s = kafkaSink(BackfillFixtures.settings(model), "range-b");
        s.source = BackfillSettings.SourceKind.KAFKA;
        s.inputTopic = in;
        s.kafkaStart = "timestamp:0";
        runInterruptedThenResume(s, 1200);
    }

    /** Runs {@code s} slowly, cancels it half-way, reruns it, and checks that each chunk was compressed once. */
    private void runInterruptedThenResume(BackfillSettings s, int rows) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        BackfillJob.build(env, s, BackfillJob.countInput(s), BackfillFixtures::slow);
        JobClient job = env.executeAsync("interrupted backfill");
        long written = BackfillFixtures.cancelAfter(job, () -> endOffsets(s.outputTopic), 200);
        // What the cancelled run had sent is in the topic (at-least-once sink, records sent as the run goes).
        written = countByKey(topic(s.outputTopic)).size();
        assertTrue(written >= 200 && written < rows, "written before the interruption: " + written);

        BackfillSettings resumed = kafkaSink(BackfillFixtures.settings(model), s.outputTopic.replace("-out", ""));
        resumed.source = s.source;
        resumed.inputPath = s.inputPath;
        resumed.inputTopic = s.inputTopic;
        resumed.kafkaStart = s.kafkaStart;
        BackfillReport report = BackfillJob.run(StreamExecutionEnvironment.getExecutionEnvironment(), resumed);
        assertEquals(written, report.skippedUpToDate, report.summary());
        assertEquals(rows - written, report.compressed, report.summary());
        List<JsonNode> out = topic(s.outputTopic);
        Map<String, Integer> keys = countByKey(out);
        assertEquals(rows, keys.size());
        assertTrue(keys.values().stream().allMatch(n -> n == 1), "each chunk once in the output topic");
        assertEquals(rows, out.size());
    }
}
