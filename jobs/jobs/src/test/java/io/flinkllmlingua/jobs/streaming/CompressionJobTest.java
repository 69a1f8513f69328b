package io.flinkllmlingua.jobs.streaming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.flinkllmlingua.flink.ChunkOutcome;
import io.flinkllmlingua.testkit.kafka.CommittedRecords;
import io.flinkllmlingua.testkit.kafka.EmbeddedKafkaBroker;
import io.flinkllmlingua.testkit.TestData;
import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.TinyModelGenerator;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Kafka ingestion job on a real KRaft broker and a Flink MiniCluster, with a generated model. */
class CompressionJobTest {
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setConfiguration(io.flinkllmlingua.jobs.cli.LocalFlink.loopback(REPORTER.addToConfiguration(new Configuration())))
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Encoding CL100K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

    private static EmbeddedKafkaBroker kafka;
    private static Path model;
    private static List<String> corpus;

    @BeforeAll
    static void setUp() throws Exception {
        kafka = EmbeddedKafkaBroker.start();
        model = Files.createTempDirectory("job-model");
        TinyModelGenerator.generateTiny(model, GeneratedFamily.WORDPIECE);
        corpus = new ArrayList<>();
        for (String f : List.of("docs-en.jsonl", "docs-multilingual.jsonl")) {
            List<String> lines = Files.readAllLines(TestData.corpus(f));
            corpus.addAll(lines.subList(0, 30));
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
        try (var paths = Files.walk(model)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** One input record: key, value, and the dead-letter class it must produce (null: compressed). */
    record Input(byte[] key, byte[] value, String expectedError) {}

    private static List<Input> goodInputs(int n) {
        List<Input> in = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String line = corpus.get(i % corpus.size());
            in.add(new Input(("k" + i).getBytes(StandardCharsets.UTF_8), line.getBytes(StandardCharsets.UTF_8), null));
        }
        return in;
    }

    private static List<Input> poisonInputs() {
        List<Input> in = new ArrayList<>();
        in.add(new Input(b("p1"), b("{\"doc_id\": \"d\", \"chunk_id\": \"c\", \"text\": "), "MalformedJson"));
        in.add(new Input(b("p2"), b("{\"doc_id\": \"d\", \"chunk_id\": \"c\"}"), "MissingField"));
        in.add(new Input(b("p3"), b("{\"doc_id\": \"d\", \"text\": \"some text here\"}"), "MissingField"));
        in.add(new Input(b("p4"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, (byte) 0x80}, "NotUtf8"));
        in.add(new Input(b("p5"), b("{\"doc_id\": \"d\", \"chunk_id\": \"c\", \"text\": \"" + "word ".repeat(5000) + "\"}"), "Oversize"));
        // Whitespace-only text is not an error: it is passed through (the record policy of every path).
        in.add(new Input(b("p6"), b("{\"doc_id\": \"d\", \"chunk_id\": \"c\", \"text\": \"   \"}"), null));
        in.add(new Input(b("p7"), b("{\"doc_id\": \"d\", \"chunk_id\": \"c\", \"text\": 42}"), "InvalidField"));
        in.add(new Input(b("p8"), b("{\"doc_id\": \"d\", \"chunk_id\": \"c\", \"text\": \"ok text\", \"rate\": 0}"), "InvalidOptions"));
        in.add(new Input(b("p9"), b("[1, 2, 3]"), "NotAnObject"));
        in.add(new Input(b("p10"), null, "NullValue"));
        return in;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static JobSettings settings(String id) {
        JobSettings s = TestJobSettings.of(id, kafka.bootstrapServers(), model, "tiny-wordpiece");
        s.parallelism = 2;
        s.llmlingua.put("llmlingua.max-text-bytes", "20000");
        s.llmlingua.put("llmlingua.batch.max-wait", "20 ms");
        // The CPU plan is one sequence per call; this test checks that records in flight share model calls.
        s.llmlingua.put("llmlingua.batch.max-sequences", "8");
        return s;
    }

    private static void produce(String topic, List<Input> inputs) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (Input in : inputs) {
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, null, in.key(), in.value());
                r.headers().add(new RecordHeader("trace-id", in.key()));
                producer.send(r).get();
            }
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String... topics) {
        return CommittedRecords.readAll(kafka.bootstrapServers(), Duration.ofSeconds(30), topics);
    }

    private static StreamExecutionEnvironment env(Configuration conf) {
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }

    @Test
    void everyRecordYieldsOneOutputOrOneDeadLetterWithConsistentMetadata() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        JobSettings s = settings(id);
        kafka.createTopics(2, s.inputTopic, s.outputTopic, s.deadLetterTopic);
        List<Input> inputs = new ArrayList<>(goodInputs(60));
        List<Input> poison = poisonInputs();
        for (int i = 0; i < poison.size(); i++) {
            inputs.add(5 + i * 5, poison.get(i)); // poison interleaved with good records
        }
        produce(s.inputTopic, inputs);

        InMemoryReporter reporter = REPORTER;
        StreamExecutionEnvironment env = env(new Configuration());
        CompressionJob.build(env, s);
        JobExecutionResult result = env.execute("job-test-" + id);

        List<ConsumerRecord<byte[], byte[]>> outputs = readCommitted(s.outputTopic);
        List<ConsumerRecord<byte[], byte[]>> dead = readCommitted(s.deadLetterTopic);
        assertEquals(inputs.size(), outputs.size() + dead.size(), "one record out per record in");

        Map<String, Input> byKey = new HashMap<>();
        inputs.forEach(in -> byKey.put(new String(in.key(), StandardCharsets.UTF_8), in));
        Set<String> seenOffsets = new HashSet<>();
        int passedThrough = 0;
        for (ConsumerRecord<byte[], byte[]> r : outputs) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            Input in = byKey.get(key);
            assertNotNull(in, "unknown key " + key);
            assertEquals(null, in.expectedError(), key + " should have been a dead letter");
            assertEquals(key, new String(r.headers().lastHeader("trace-id").value(), StandardCharsets.UTF_8));
            JsonNode out = JSON.readTree(r.value());
            JsonNode original = JSON.readTree(in.value());
            assertEquals(original.get("doc_id").asText(), out.get("doc_id").asText());
            assertEquals(original.get("chunk_id").asText(), out.get("chunk_id").asText());
            assertEquals(original.get("metadata"), out.get("metadata"));
            String text = original.get("text").asText();
            String compressed = out.get("compressed_text").asText();
            assertEquals(CL100K.countTokensOrdinary(text), out.get("original_tokens").asInt());
            assertEquals(CL100K.countTokensOrdinary(compressed), out.get("compressed_tokens").asInt());
            assertEquals(out.get("compressed_tokens").asDouble() / out.get("original_tokens").asDouble(),
                    out.get("kept_fraction").asDouble(), 1e-9);
            assertEquals(64, out.path("content_hash").asText().length());
            if (text.isBlank()) {
                passedThrough++;
                assertEquals(text, compressed, "empty text passed through");
                assertEquals(out.get("original_tokens").asInt(), out.get("compressed_tokens").asInt());
                assertEquals(1.0, out.get("ratio").asDouble());
                assertEquals(1.0, out.get("kept_fraction").asDouble());
                continue;
            }
            assertTrue(out.get("compressed_tokens").asInt() < out.get("original_tokens").asInt());
            assertEquals(out.get("original_tokens").asDouble() / out.get("compressed_tokens").asDouble(),
                    out.get("ratio").asDouble(), 1e-9);
            assertEquals("tiny-wordpiece", out.get("model").asText());
            assertEquals(s.inputTopic, out.path("source").path("topic").asText());
            assertTrue(seenOffsets.add(out.path("source").path("partition").asInt() + "@" + out.path("source").path("offset").asLong()));
        }
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            Input in = byKey.get(key);
            assertNotNull(in.expectedError(), key + " should have been compressed");
            JsonNode d = JSON.readTree(r.value());
            assertEquals(in.expectedError(), d.path("error").path("class").asText(), key + ": " + d);
            if (in.value() != null && RecordCodecIds.readable(in.value())) {
                assertEquals("d", d.path("doc_id").asText(), "ids when they could be read: " + d);
            }
            assertEquals(in.expectedError(), new String(r.headers().lastHeader(OutcomeSerializer.ERROR_HEADER).value(),
                    StandardCharsets.UTF_8));
            assertTrue(d.path("error").path("message").asText().length() > 5);
            if (in.value() == null) {
                assertTrue(d.get("value").isNull());
            } else if ("base64".equals(d.path("value_encoding").asText())) {
                assertEquals(Base64.getEncoder().encodeToString(in.value()), d.get("value").asText());
            } else {
                assertEquals(new String(in.value(), StandardCharsets.UTF_8), d.get("value").asText(), "original bytes");
            }
            assertTrue(seenOffsets.add(d.path("source").path("partition").asInt() + "@" + d.path("source").path("offset").asLong()));
            for (Header h : r.headers()) {
                assertNotNull(h.key());
            }
        }
        long expectedDead = poison.stream().filter(p -> p.expectedError() != null).count();
        assertEquals(expectedDead, dead.size(), "exactly the poison records are dead letters");
        assertEquals(1, passedThrough, "the whitespace-only record");

        Map<String, Metric> batch = reporter.findMetrics(result.getJobID(), ".*llmlingua.batchSizeMean");
        assertEquals(2, batch.size(), "one engine per subtask: " + batch.keySet());
        double best = 0;
        for (Metric m : batch.values()) {
            best = Math.max(best, ((Number) ((Gauge<?>) m).getValue()).doubleValue());
        }
        assertTrue(best > 1.0, "mean batch size " + best);
        long compressed = 0;
        for (Metric m : reporter.findMetrics(result.getJobID(), ".*llmlingua.recordsCompressed").values()) {
            compressed += ((org.apache.flink.metrics.Counter) m).getCount();
        }
        long empty = 0;
        for (Metric m : reporter.findMetrics(result.getJobID(), ".*llmlingua.recordsEmpty").values()) {
            empty += ((org.apache.flink.metrics.Counter) m).getCount();
        }
        assertEquals(outputs.size() - passedThrough, compressed);
        assertEquals(passedThrough, empty);
    }

    @Test
    void aTaskFailureMidStreamRestartsFromTheCheckpointWithoutLossOrDuplicates() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        JobSettings s = settings(id);
        kafka.createTopics(2, s.inputTopic, s.outputTopic, s.deadLetterTopic);
        List<Input> inputs = goodInputs(80);
        produce(s.inputTopic, inputs);

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        s.llmlingua.put("llmlingua.async.capacity", "4"); // records keep flowing across several checkpoints
        FailOnceAfterCheckpoint.reset();
        StreamExecutionEnvironment env = env(conf);
        CompressionJob.build(env, s, new FailOnceAfterCheckpoint());
        env.execute("job-failover-" + id);

        assertTrue(FailOnceAfterCheckpoint.FAILED.get(), "the failure was injected");
        List<ConsumerRecord<byte[], byte[]>> outputs = readCommitted(s.outputTopic, s.deadLetterTopic);
        Map<String, Integer> count = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : outputs) {
            count.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
        }
        assertEquals(inputs.size(), count.size(), "no record lost");
        count.forEach((k, v) -> assertEquals(1, v, "record " + k + " written " + v + " times"));
        assertTrue(FailOnceAfterCheckpoint.SEEN.get() > inputs.size(), "records after the checkpoint were replayed");
    }

    @Test
    void engineFailuresAreRetriedThenDeadLetteredWhileTheJobRuns(@TempDir Path tmp) throws Exception {
        // A model whose logits have 4 classes: it loads, but every inference is refused by the engine.
        Path broken = Files.createDirectories(tmp.resolve("broken-model"));
        TinyModelGenerator.generateTiny(broken, GeneratedFamily.WORDPIECE);
        widenLogits(broken.resolve("model.onnx"));
        String id = UUID.randomUUID().toString().substring(0, 8);
        JobSettings s = settings(id);
        s.llmlingua.put("llmlingua.model.path", broken.toString());
        s.llmlingua.put("llmlingua.retry.max-attempts", "2");
        s.llmlingua.put("llmlingua.retry.backoff", "50 ms");
        kafka.createTopics(2, s.inputTopic, s.outputTopic, s.deadLetterTopic);
        List<Input> inputs = goodInputs(6);
        produce(s.inputTopic, inputs);
        // Unbounded, so that the failures happen while the job runs (the operator's own retries also run in bounded jobs).
        s.bounded = false;

        StreamExecutionEnvironment env = env(new Configuration());
        CompressionJob.build(env, s);
        org.apache.flink.core.execution.JobClient job = env.executeAsync("job-engine-failure-" + id);
        List<ConsumerRecord<byte[], byte[]>> dead = List.of();
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (dead.size() < inputs.size() && System.nanoTime() < deadline) {
            Thread.sleep(500);
            dead = readCommitted(s.deadLetterTopic);
        }
        job.cancel().get();

        assertEquals(0, readCommitted(s.outputTopic).size());
        assertEquals(inputs.size(), dead.size());
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            JsonNode d = JSON.readTree(r.value());
            assertEquals("EngineFailure", d.path("error").path("class").asText());
            assertTrue(d.path("error").path("message").asText().contains("shape"), d.toString());
            assertEquals(3, d.path("error").path("attempts").asInt());
        }
        long failures = 0;
        for (Metric m : REPORTER.findMetrics(job.getJobID(), ".*llmlingua.recordsFailed").values()) {
            failures += ((org.apache.flink.metrics.Counter) m).getCount();
        }
        assertEquals(inputs.size() * 3L, failures, "each record tried once and retried twice");
    }

    /** Whether a poison value is JSON with readable ids (its dead letter then carries them). */
    static final class RecordCodecIds {
        static boolean readable(byte[] value) {
            return io.flinkllmlingua.flink.RecordCodec.idsOf(value)[0] != null;
        }
    }

    /** Concatenates the logits with themselves on the class axis: [batch, sequence, 4]. */
    static void widenLogits(Path modelFile) throws Exception {
        ai.onnx.proto.OnnxMl.ModelProto model = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(modelFile));
        ai.onnx.proto.OnnxMl.GraphProto.Builder g = model.getGraph().toBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            ai.onnx.proto.OnnxMl.NodeProto.Builder n = g.getNodeBuilder(i);
            for (int k = 0; k < n.getOutputCount(); k++) {
                if (n.getOutput(k).equals("logits")) {
                    n.setOutput(k, "logits_2");
                }
            }
        }
        g.addNode(ai.onnx.proto.OnnxMl.NodeProto.newBuilder().setOpType("Concat").addInput("logits_2")
                .addInput("logits_2").addOutput("logits").addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder()
                        .setName("axis").setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.INT).setI(2)));
        for (int i = 0; i < g.getOutputCount(); i++) {
            if (g.getOutput(i).getName().equals("logits")) {
                g.getOutputBuilder(i).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(2).setDimValue(4);
            }
        }
        Files.write(modelFile, model.toBuilder().setGraph(g).build().toByteArray());
    }

    /** Throws once, on the first outcome after a checkpoint completed. */
    static final class FailOnceAfterCheckpoint implements MapFunction<ChunkOutcome, ChunkOutcome>, CheckpointListener {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
        static final AtomicInteger SEEN = new AtomicInteger();

        static void reset() {
            FAILED.set(false);
            CHECKPOINTED.set(false);
            SEEN.set(0);
        }

        @Override
        public ChunkOutcome map(ChunkOutcome value) {
            SEEN.incrementAndGet();
            if (CHECKPOINTED.get() && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after " + SEEN.get() + " records");
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTED.set(true);
        }
    }
}
