package io.flinkllmlingua.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.testkit.TestData;
import io.flinkllmlingua.flink.ChunkOutcome;
import io.flinkllmlingua.flink.InputChunk;
import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.flink.LlmLinguaOperator;
import io.flinkllmlingua.flink.RecordCodec;
import io.flinkllmlingua.jobs.backfill.BackfillJob;
import io.flinkllmlingua.jobs.backfill.BackfillSettings;
import io.flinkllmlingua.jobs.cli.LlmLinguaCli;
import io.flinkllmlingua.testkit.kafka.CommittedRecords;
import io.flinkllmlingua.testkit.kafka.EmbeddedKafkaBroker;
import io.flinkllmlingua.jobs.streaming.CompressionJob;
import io.flinkllmlingua.jobs.streaming.JobSettings;
import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.TinyModelGenerator;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same input records through every path: the Kafka job (embedded broker, MiniCluster), the backfill (JSONL in and
 * out), SQL ({@code kafka-ml-predict.sql} on the same topic), the CLI ({@code compress --jsonl --chunks}) and the
 * typed operator in a user's own DataStream job ({@code fromData} of InputChunks, the README example). Every path
 * must give the same compressed text, counts, ratio, kept fraction and metadata, and the same treatment of empty,
 * all-dropped and bad records (README, "Empty texts and records that cannot be compressed").
 */
class CrossPathConsistencyTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    // the test cluster on 127.0.0.1 only, like every local run
                    .setConfiguration(io.flinkllmlingua.jobs.cli.LocalFlink.loopback(new org.apache.flink.configuration.Configuration()))
                    .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The output fields every path writes, with the same names and units. */
    private static final List<String> FIELDS = List.of("compressed_text", "original_tokens", "compressed_tokens",
            "ratio", "kept_fraction", "metadata");
    /** Written by the paths that have them (not SQL's columns). */
    private static final List<String> RECORD_FIELDS = List.of("doc_id", "content_hash", "model", "render_mode");

    private static EmbeddedKafkaBroker kafka;
    private static Path model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        kafka = EmbeddedKafkaBroker.start();
        model = Files.createTempDirectory("cross-path-model");
        TinyModelGenerator.generateTiny(model, GeneratedFamily.WORDPIECE);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
        try (Stream<Path> paths = Files.walk(model)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Real chunks from the corpus (one with nested metadata) and the hostile records, one JSON value each. */
    private static List<String> inputs() throws IOException {
        Path corpora = TestData.corpora();
        List<String> in = new ArrayList<>();
        in.addAll(Files.readAllLines(corpora.resolve("docs-en.jsonl")).subList(0, 2));
        in.add(Files.readAllLines(corpora.resolve("docs-multilingual.jsonl")).get(0));
        ObjectNode nested = (ObjectNode) JSON.readTree(in.get(0));
        nested.put("chunk_id", "nested#0");
        nested.putObject("metadata").put("lang", "en").putArray("tags").add("a").add(2).addObject().put("k", true);
        in.add(nested.toString());
        in.add(chunk("empty#0", ""));
        in.add(chunk("blank#0", " \n\t "));
        in.add(chunk("special#0", "Some words <|endoftext|> and more words."));
        in.add("{\"doc_id\": \"m\", \"chunk_id\": \"m#0\", \"text\": ");
        in.add("{\"doc_id\": \"x\", \"chunk_id\": \"x#notext\"}");
        in.add("{\"doc_id\": \"y\", \"text\": \"no chunk id\"}");
        in.add("[1, 2, 3]");
        // One word and no force token in it: its probability is the whole chunk's percentile, and the strict '>'
        // keeps nothing (spec, selection): the all-dropped case.
        in.add(chunk("single#0", "hello"));
        return in;
    }

    private static String chunk(String chunkId, String text) {
        ObjectNode n = JSON.createObjectNode();
        n.put("doc_id", chunkId.substring(0, chunkId.indexOf('#')));
        n.put("chunk_id", chunkId);
        n.put("text", text);
        n.putObject("metadata").put("lang", "en");
        return n.toString();
    }

    /** The options every path is given: the operator's defaults, spelled out for the CLI. */
    private static Map<String, String> llmlingua() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("llmlingua.model.path", model.toString());
        o.put("llmlingua.model.id", model.getFileName().toString());
        o.put("llmlingua.provider", "CPU");
        o.put("llmlingua.threads", "1");
        o.put("llmlingua.batch.max-wait", "20 ms");
        return o;
    }

    /**
     * One path's outcomes, by input: a compressed chunk under its chunk_id, a dead letter under its original value.
     * Each entry is the compared fields plus {@code treatment}: compressed, passed-through, or the error class.
     */
    private static Map<String, ObjectNode> normalise(List<JsonNode> compressed, List<JsonNode> deadLetters,
                                                     boolean sqlColumns) {
        Map<String, ObjectNode> out = new TreeMap<>();
        for (JsonNode c : compressed) {
            ObjectNode n = JSON.createObjectNode();
            for (String f : FIELDS) {
                n.set(f, c.get(f));
            }
            if (!sqlColumns) {
                for (String f : RECORD_FIELDS) {
                    n.set(f, c.get(f));
                }
            }
            String treatment;
            if (c.get("compressed_text").isNull()) {
                treatment = "rejected"; // SQL's rendering of a rejected row (invalid-input NULL_RESULT)
                n.remove("metadata");
            } else if (c.get("ratio").isNull()) {
                treatment = "all-dropped";
            } else {
                treatment = c.get("original_tokens").equals(c.get("compressed_tokens"))
                        && c.get("kept_fraction").asDouble() == 1.0 ? "passed-through" : "compressed";
            }
            n.put("treatment", treatment);
            assertEquals(null, out.put(c.get("chunk_id").asText(), n), "one output per chunk: " + c);
        }
        for (JsonNode d : deadLetters) {
            ObjectNode n = JSON.createObjectNode();
            n.put("treatment", d.path("error").path("class").asText());
            n.put("attempts", d.path("error").path("attempts").asInt());
            assertEquals(null, out.put(d.get("value").asText(), n), "one dead letter per record: " + d);
        }
        return out;
    }

    @Test
    void everyPathGivesTheSameRecordsAndTreatsEmptyAndBadInputAlike() throws Exception {
        List<String> inputs = inputs();
        String topic = "cross-in";
        kafka.createTopics(1, topic, "cross-out", "cross-dlq", "cross-sql-out", "cross-sql-dlq");
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < inputs.size(); i++) {
                producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8),
                        inputs.get(i).getBytes(StandardCharsets.UTF_8))).get();
            }
        }
        Path jsonl = Files.writeString(tmp.resolve("chunks.jsonl"), String.join("\n", inputs) + "\n");

        // 1. the Kafka job
        JobSettings job = new JobSettings();
        job.bootstrapServers = kafka.bootstrapServers();
        job.inputTopic = topic;
        job.outputTopic = "cross-out";
        job.deadLetterTopic = "cross-dlq";
        job.groupId = "cross-g";
        job.transactionalIdPrefix = "cross-tx";
        job.transactionTimeout = Duration.ofMinutes(2);
        job.startFrom = JobSettings.StartFrom.EARLIEST;
        job.bounded = true;
        job.checkpointInterval = Duration.ofMillis(500);
        job.parallelism = 1;
        job.llmlingua.putAll(llmlingua());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        CompressionJob.build(env, job);
        env.execute("cross-path job");
        Map<String, ObjectNode> kafkaJob = normalise(values("cross-out"), values("cross-dlq"), false);

        // 2. the backfill, JSONL to JSONL
        BackfillSettings b = new BackfillSettings();
        b.source = BackfillSettings.SourceKind.JSONL;
        b.inputPath = jsonl.toString();
        b.sink = BackfillSettings.SinkKind.JSONL;
        b.outputPath = tmp.resolve("backfill-out").toString();
        b.failuresPath = tmp.resolve("backfill-failures").toString();
        b.parallelism = 1;
        b.llmlingua.putAll(llmlingua());
        BackfillJob.run(StreamExecutionEnvironment.getExecutionEnvironment(), b);
        Map<String, ObjectNode> backfill = normalise(readJsonl(tmp.resolve("backfill-out")),
                readJsonl(tmp.resolve("backfill-failures")), false);

        // 3. SQL: the ML_PREDICT script on the same topic (the model's defaults are the operator's)
        String sqlOutput = cli("", "sql", "--file", "builtin:kafka-ml-predict.sql",
                "-Dbootstrap_servers=" + kafka.bootstrapServers(), "-Dinput_topic=" + topic,
                "-Doutput_topic=cross-sql-out", "-Ddead_letter_topic=cross-sql-dlq", "-Dmodel_path=" + model,
                "-Dparallelism=1", "-Dcheckpoint_interval=1 s", "-Dgroup_id=cross-sql", "-Dstartup_mode=earliest-offset",
                "-Dbounded_mode=latest-offset", "-Dexecution_provider=CPU", "-Dthreads=1", "-Dbatch_max_wait=20 ms",
                "-Dtransactional_id_prefix=cross-sql-tx", "-Dtransaction_timeout_ms=120000");
        assertTrue(sqlOutput.contains("finished in"), sqlOutput);
        Map<String, ObjectNode> sql = normalise(values("cross-sql-out"), values("cross-sql-dlq"), true);

        // 4. the CLI on its own defaults (the same declarations as the job's: nothing spelled out)
        List<String> args = new ArrayList<>(List.of("compress", "--model=" + model, "--jsonl", "--chunks", "-q",
                "--threads", "1", "--provider", "cpu"));
        args.add(jsonl.toString());
        List<JsonNode> cliCompressed = new ArrayList<>();
        List<JsonNode> cliDead = new ArrayList<>();
        for (String line : cli("", args.toArray(new String[0])).split("\n")) {
            if (!line.isBlank()) {
                JsonNode n = JSON.readTree(line);
                (n.has("error") ? cliDead : cliCompressed).add(n);
            }
        }
        Map<String, ObjectNode> cli = normalise(cliCompressed, cliDead, false);

        // 5. the typed operator in one's own DataStream job (the README example), on the chunks that decode
        List<InputChunk> chunks = new ArrayList<>();
        for (String in : inputs) {
            try {
                chunks.add(RecordCodec.decode(in.getBytes(StandardCharsets.UTF_8)));
            } catch (io.flinkllmlingua.flink.ChunkRejectedException e) {
                // not an input chunk: the decoding step's dead letters, covered by the other paths
            }
        }
        Map<String, ObjectNode> operator = normalise(ownJob(chunks, LlmLinguaConfig.fromMap(llmlingua())), List.of(), false);

        // The same records, field by field, on every path.
        assertEquals(inputs.size(), kafkaJob.size(), kafkaJob.toString());
        assertEquals(kafkaJob, backfill, "backfill = Kafka job");
        assertEquals(kafkaJob, cli, "CLI = Kafka job");
        for (Map.Entry<String, ObjectNode> e : operator.entrySet()) {
            assertEquals(kafkaJob.get(e.getKey()), e.getValue(), "own DataStream job = Kafka job: " + e.getKey());
        }
        assertEquals(chunks.size() - 1, operator.size(), "all but the refused chunk (its dead letter is checked in ownJob)");
        assertEquals(kafkaJob.size(), sql.size(), "SQL has one output or dead letter per record: " + sql.keySet());
        for (Map.Entry<String, ObjectNode> e : kafkaJob.entrySet()) {
            ObjectNode expected = e.getValue().deepCopy();
            expected.remove(RECORD_FIELDS);
            if (expected.get("treatment").asText().equals("InvalidRequest")) {
                // SQL renders a rejected row as a null result (llmlingua.sql.invalid-input = NULL_RESULT): a row
                // under its chunk_id whose outputs are null, where the other paths write a dead letter.
                String chunkId = JSON.readTree(e.getKey()).get("chunk_id").asText();
                assertEquals("rejected", sql.get(chunkId).get("treatment").asText(), e.getKey());
            } else {
                assertEquals(expected, sql.get(e.getKey()), "SQL = Kafka job: " + e.getKey());
            }
        }

        // The policy, as documented.
        assertEquals("passed-through", kafkaJob.get("empty#0").get("treatment").asText());
        assertEquals("passed-through", kafkaJob.get("blank#0").get("treatment").asText());
        assertEquals(" \n\t ", kafkaJob.get("blank#0").get("compressed_text").asText());
        assertEquals("InvalidRequest", kafkaJob.get(inputs.get(6)).get("treatment").asText(), "<|endoftext|> refused");
        assertEquals("MalformedJson", kafkaJob.get(inputs.get(7)).get("treatment").asText());
        assertEquals("MissingField", kafkaJob.get(inputs.get(8)).get("treatment").asText());
        assertEquals("MissingField", kafkaJob.get(inputs.get(9)).get("treatment").asText());
        assertEquals("NotAnObject", kafkaJob.get(inputs.get(10)).get("treatment").asText());
        assertTrue(kafkaJob.get("nested#0").get("metadata").get("tags").isArray(), "metadata stays JSON");
        ObjectNode dropped = kafkaJob.get("single#0");
        assertEquals("all-dropped", dropped.get("treatment").asText(), dropped.toString());
        assertEquals("", dropped.get("compressed_text").asText());
        assertEquals(0, dropped.get("compressed_tokens").asInt());
        assertEquals(0.0, dropped.get("kept_fraction").asDouble());
        long compressed = kafkaJob.values().stream().filter(n -> n.get("treatment").asText().equals("compressed")).count();
        assertEquals(4, compressed);
    }

    /** The README's "Using the operator in your own DataStream job", collected. */
    private static List<JsonNode> ownJob(List<InputChunk> chunks, LlmLinguaConfig config) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<InputChunk> in = env.fromData(chunks);
        DataStream<ChunkOutcome> out = LlmLinguaOperator.compress(in, config);
        List<JsonNode> records = new ArrayList<>();
        try (CloseableIterator<ChunkOutcome> it = out.executeAndCollect("own job")) {
            while (it.hasNext()) {
                ChunkOutcome o = it.next();
                if (o.isDeadLetter()) {
                    // a chunk built in code: the dead letter's value is the chunk's JSON
                    JsonNode value = JSON.readTree(o.deadLetter.value());
                    ObjectNode n = JSON.createObjectNode();
                    n.put("chunk_id", value.get("chunk_id").asText());
                    n.putNull("compressed_text");
                    records.add(n.put("error", o.errorClass()));
                } else {
                    records.add(JSON.readTree(RecordCodec.encode(o.compressed)));
                }
            }
        }
        List<JsonNode> compressed = new ArrayList<>();
        for (JsonNode r : records) {
            if (r.has("error")) {
                assertEquals("InvalidRequest", r.get("error").asText(), r.toString());
                assertEquals("special#0", r.get("chunk_id").asText());
            } else {
                compressed.add(r);
            }
        }
        return compressed;
    }

    private static List<JsonNode> values(String topic) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.readAll(kafka.bootstrapServers(), Duration.ofSeconds(30), topic)) {
            out.add(JSON.readTree(r.value()));
        }
        return out;
    }

    private static List<JsonNode> readJsonl(Path dir) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)
                    .filter(x -> !x.getFileName().toString().startsWith("."))::iterator) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) {
                        out.add(JSON.readTree(line));
                    }
                }
            }
        }
        return out;
    }

    private static String cli(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new LlmLinguaCli(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of()).execute(args);
        String stdout = out.toString(StandardCharsets.UTF_8);
        assertTrue(code == 0 || code == LlmLinguaCli.EXIT_RECORD_FAILURES, code + ": " + stdout + err);
        return args[0].equals("sql") ? stdout + err : stdout;
    }
}
