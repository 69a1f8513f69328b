package io.flinkllmlingua.jobs.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.PromptCompressor;
import io.flinkllmlingua.testkit.TestData;
import io.flinkllmlingua.jobs.cli.LlmLinguaCli;
import io.flinkllmlingua.testkit.kafka.CommittedRecords;
import io.flinkllmlingua.testkit.kafka.EmbeddedKafkaBroker;
import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.TinyModelGenerator;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped SQL scripts, run by the {@code sql} command in this JVM against a real KRaft broker and the test
 * MiniCluster with a generated model: every output row in Kafka is checked against the engine.
 */
class SqlKafkaScriptsTest {
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
    private static final CompressionOptions DEFAULTS = CompressionOptions.builder().rate(0.5)
            .forceTokens(List.of("\n", ".", "!", "?")).build();

    private static EmbeddedKafkaBroker kafka;
    private static Path model;
    private static PromptCompressor engine;
    private static List<String> corpus;

    @BeforeAll
    static void setUp() throws Exception {
        kafka = EmbeddedKafkaBroker.start();
        model = Files.createTempDirectory("sql-kafka-model");
        TinyModelGenerator.generateTiny(model, GeneratedFamily.WORDPIECE);
        engine = PromptCompressor.open(EngineConfig.builder(model).executionProvider(ExecutionProvider.CPU).build());
        corpus = new ArrayList<>();
        corpus.addAll(Files.readAllLines(TestData.corpus("docs-en.jsonl")).subList(0, 30));
        corpus.addAll(Files.readAllLines(TestData.corpus("docs-multilingual.jsonl")).subList(0, 10));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (engine != null) {
            engine.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        try (var paths = Files.walk(model)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Runs {@code sql --file builtin:NAME} with the variables; fails with the command's output if it fails. */
    private static String runScript(String name, Map<String, String> vars) {
        List<String> args = new ArrayList<>(List.of("sql", "--file", "builtin:" + name));
        vars.forEach((k, v) -> args.add("-D" + k + "=" + v));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new LlmLinguaCli(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of()).execute(args.toArray(new String[0]));
        String output = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, output);
        assertTrue(output.contains("finished in"), output);
        // the start-up line under each submitted job names the Kafka tables it checked
        assertTrue(output.contains(", Kafka tables ") && output.contains(" @ " + kafka.bootstrapServers() + ")"), output);
        return output;
    }

    private static Map<String, String> vars(String id) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("bootstrap_servers", kafka.bootstrapServers());
        v.put("input_topic", "in-" + id);
        v.put("output_topic", "out-" + id);
        v.put("dead_letter_topic", "dlq-" + id);
        v.put("model_path", model.toString());
        v.put("parallelism", "2");
        v.put("checkpoint_interval", "1 s");
        v.put("group_id", "g-" + id);
        v.put("startup_mode", "earliest-offset");
        v.put("bounded_mode", "latest-offset");
        v.put("execution_provider", "CPU");
        v.put("threads", "1");
        v.put("batch_max_wait", "20 ms");
        // The CPU plan is one sequence per call; these tests check that rows in flight share model calls.
        v.put("batch_max_sequences", "8");
        v.put("transactional_id_prefix", "tx-" + id);
        v.put("transaction_timeout_ms", "120000");
        return v;
    }

    private static void produce(String topic, List<String[]> keyValues) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("acks", "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (String[] kv : keyValues) {
                producer.send(new ProducerRecord<>(topic, kv[0].getBytes(StandardCharsets.UTF_8),
                        kv[1].getBytes(StandardCharsets.UTF_8))).get();
            }
        }
    }

    /** Every committed record of {@code topic}, partition by partition in offset order. */
    private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        return CommittedRecords.readAll(kafka.bootstrapServers(), Duration.ofSeconds(30), topic);
    }

    private static String chunk(String docId, String chunkId, String text) {
        ObjectNode n = JSON.createObjectNode();
        n.put("doc_id", docId);
        n.put("chunk_id", chunkId);
        if (text == null) {
            n.putNull("text");
        } else {
            n.put("text", text);
        }
        n.putObject("metadata").put("lang", "en").put("chunk_index", 0);
        return n.toString();
    }

    /** The corpus records plus the edge cases: malformed JSON, an empty text, a null text, a refused text. */
    private static List<String[]> inputs() throws Exception {
        List<String[]> in = new ArrayList<>();
        for (String line : corpus) {
            in.add(new String[] {JSON.readTree(line).get("chunk_id").asText(), line});
        }
        in.add(5, new String[] {"malformed", "{\"doc_id\": \"x\", \"text\": "});
        in.add(7, new String[] {"nochunkid", "{\"doc_id\": \"y\", \"text\": \"no chunk id\"}"});
        in.add(10, new String[] {"empty#0", chunk("empty", "empty#0", "")});
        in.add(15, new String[] {"nulltext#0", chunk("nulltext", "nulltext#0", null)});
        in.add(20, new String[] {"special#0", chunk("special", "special#0", "Some words <|endoftext|> and more words.")});
        return in;
    }

    /** Checks one compressed output value against the input line and the engine. */
    private static void assertCompressedRow(JsonNode input, JsonNode out) throws Exception {
        String text = input.get("text").asText();
        String expected = engine.compress(List.of(text), DEFAULTS).compressedPrompt();
        assertEquals(input.get("doc_id").asText(), out.get("doc_id").asText());
        assertEquals(expected, out.get("compressed_text").asText(), input.get("chunk_id").asText());
        int original = CL100K.countTokensOrdinary(text);
        int compressed = CL100K.countTokensOrdinary(expected);
        assertEquals(original, out.get("original_tokens").asInt());
        assertEquals(compressed, out.get("compressed_tokens").asInt());
        assertTrue(compressed < original);
        assertEquals((double) original / compressed, out.get("ratio").asDouble(), 1e-9);
        assertEquals((double) compressed / original, out.get("kept_fraction").asDouble(), 1e-9);
        assertFalse(out.has("rate"), "no ambiguous rate field");
        assertTrue(out.get("metadata").isObject(), "metadata written as a JSON object: " + out);
        assertEquals(input.get("metadata"), out.get("metadata"));
    }

    /** Runs an append script (ML_PREDICT or the function) and checks every output row. */
    private void appendScript(String script, boolean model) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> v = vars(id);
        kafka.createTopics(2, v.get("input_topic"), v.get("output_topic"), v.get("dead_letter_topic"));
        List<String[]> inputs = inputs();
        produce(v.get("input_topic"), inputs);

        String output = runScript(script, v);

        Map<String, JsonNode> byChunk = new HashMap<>();
        for (String[] kv : inputs) {
            if (!kv[0].equals("malformed") && !kv[0].equals("nochunkid") && !kv[0].equals("nulltext#0")) {
                byChunk.put(kv[0], JSON.readTree(kv[1]));
            }
        }
        List<ConsumerRecord<byte[], byte[]>> out = readCommitted(v.get("output_topic"));
        assertEquals(byChunk.size(), out.size(), "one row per well-formed input");
        List<ConsumerRecord<byte[], byte[]>> dead = readCommitted(v.get("dead_letter_topic"));
        assertEquals(3, dead.size(), "the malformed record, the one without chunk_id and the null text are dead letters");
        Map<String, JsonNode> deadByValue = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            JsonNode d = JSON.readTree(r.value());
            deadByValue.put(d.get("value").asText(), d);
            assertEquals(v.get("input_topic"), d.path("source").path("topic").asText());
            assertTrue(d.path("source").path("offset").asLong() >= 0);
            assertEquals(1, d.path("error").path("attempts").asInt());
            assertEquals("utf-8", d.path("value_encoding").asText());
            assertTrue(d.path("key").isTextual() && "utf-8".equals(d.path("key_encoding").asText()), d.toString());
            assertFalse(d.has("error_class"), "the DeadLetter field names");
        }
        JsonNode malformed = deadByValue.get("{\"doc_id\": \"x\", \"text\": ");
        assertEquals("MalformedJson", malformed.path("error").path("class").asText(), "the original value");
        assertEquals("malformed", malformed.path("key").asText(), "the original key");
        assertEquals("MissingField", deadByValue.get("{\"doc_id\": \"y\", \"text\": \"no chunk id\"}")
                .path("error").path("class").asText());
        JsonNode nullText = deadByValue.get(chunk("nulltext", "nulltext#0", null));
        assertEquals("MissingField", nullText.path("error").path("class").asText(), "null text, as on every path");
        assertEquals("nulltext#0", nullText.path("chunk_id").asText());
        Map<String, JsonNode> seen = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : out) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            JsonNode value = JSON.readTree(r.value());
            assertEquals(key, value.get("chunk_id").asText(), "the record key is the chunk_id");
            assertTrue(seen.put(key, value) == null, "one output per chunk: " + key);
        }
        for (Map.Entry<String, JsonNode> e : byChunk.entrySet()) {
            JsonNode o = seen.get(e.getKey());
            assertNotNull(o, "no output for " + e.getKey());
            switch (e.getKey()) {
                case "empty#0":  // empty-text PASS_THROUGH
                    assertEquals("", o.get("compressed_text").asText());
                    assertEquals(0, o.get("original_tokens").asInt());
                    assertEquals(1.0, o.get("ratio").asDouble());
                    assertEquals(1.0, o.get("kept_fraction").asDouble());
                    assertEquals(e.getValue().get("metadata"), o.get("metadata"));
                    break;
                case "special#0": // refused by the engine: invalid-input NULL_RESULT
                    assertTrue(o.get("compressed_text").isNull() && o.get("original_tokens").isNull()
                            && o.get("ratio").isNull(), o.toString());
                    assertEquals("special", o.get("doc_id").asText());
                    break;
                default:
                    assertCompressedRow(e.getValue(), o);
            }
        }

        // one engine per subtask, rows batched across the subtask's rows in flight, every row counted once
        JobID job = jobId(output);
        Map<String, Metric> batch = REPORTER.findMetrics(job, ".*llmlingua.batchSizeMean");
        assertEquals(2, batch.size(), "one engine per subtask: " + batch.keySet());
        double best = 0;
        for (Metric m : batch.values()) {
            best = Math.max(best, ((Number) ((Gauge<?>) m).getValue()).doubleValue());
        }
        assertTrue(best > 1.0, "mean batch size " + best);
        int good = corpus.size();
        assertEquals(good, count(job, "recordsCompressed"));
        assertEquals(1, count(job, "recordsInvalid"));
        assertEquals(1, count(job, "recordsEmpty"), "the null text is a dead letter before the function or model");
        assertEquals(good + 1 + 1, count(job, "recordsIn"));
    }

    private static long count(JobID job, String counter) {
        long n = 0;
        for (Metric m : REPORTER.findMetrics(job, ".*llmlingua\\." + counter + "$").values()) {
            n += ((Counter) m).getCount();
        }
        return n;
    }

    private static JobID jobId(String output) {
        Matcher m = Pattern.compile("job ([0-9a-f]{32}) submitted").matcher(output);
        assertTrue(m.find(), output);
        return JobID.fromHexString(m.group(1));
    }

    @Test
    void mlPredictScriptWritesOneCompressedRowPerChunk() throws Exception {
        appendScript("kafka-ml-predict.sql", true);
    }

    @Test
    void functionScriptWritesOneCompressedRowPerChunk() throws Exception {
        appendScript("kafka-function.sql", false);
    }

    @Test
    void upsertScriptKeepsTheLatestVersionOfEveryChunk() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> v = vars(id);
        kafka.createTopics(2, v.get("input_topic"), v.get("output_topic"), v.get("dead_letter_topic"));
        List<String[]> inputs = new ArrayList<>();
        Map<String, JsonNode> latest = new LinkedHashMap<>();
        for (String line : corpus.subList(0, 12)) {
            JsonNode n = JSON.readTree(line);
            inputs.add(new String[] {n.get("chunk_id").asText(), line});
            latest.put(n.get("chunk_id").asText(), n);
        }
        // new versions of four chunks (another chunk's text), and an empty version of a fifth (SKIP_ROW: unchanged)
        for (int i = 0; i < 4; i++) {
            JsonNode old = JSON.readTree(corpus.get(i * 2));
            String chunkId = old.get("chunk_id").asText();
            String v2 = chunk(old.get("doc_id").asText(), chunkId, JSON.readTree(corpus.get(20 + i)).get("text").asText());
            inputs.add(new String[] {chunkId, v2});
            latest.put(chunkId, JSON.readTree(v2));
        }
        JsonNode kept = JSON.readTree(corpus.get(9));
        inputs.add(new String[] {kept.get("chunk_id").asText(),
                chunk(kept.get("doc_id").asText(), kept.get("chunk_id").asText(), "  ")});
        inputs.add(new String[] {"bad", "not json at all"});
        produce(v.get("input_topic"), inputs);

        runScript("upsert-kafka-rag-index.sql", v);

        List<ConsumerRecord<byte[], byte[]>> dead = readCommitted(v.get("dead_letter_topic"));
        assertEquals(1, dead.size());
        assertEquals("not json at all", JSON.readTree(dead.get(0).value()).get("value").asText());
        assertEquals("MalformedJson", JSON.readTree(dead.get(0).value()).path("error").path("class").asText());

        Map<String, JsonNode> index = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readCommitted(v.get("output_topic"))) {
            assertNotNull(r.value(), "no tombstones expected");
            index.put(new String(r.key(), StandardCharsets.UTF_8), JSON.readTree(r.value()));
        }
        assertEquals(latest.keySet(), index.keySet());
        for (Map.Entry<String, JsonNode> e : latest.entrySet()) {
            JsonNode value = index.get(e.getKey());
            assertFalse(value.has("chunk_id"), "the key is not repeated in the value (EXCEPT_KEY)");
            assertCompressedRow(e.getValue(), value);
        }
    }
}
