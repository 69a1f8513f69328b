package io.flinkllmlingua.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.testkit.kafka.EmbeddedKafkaBroker;
import io.flinkllmlingua.testkit.TestData;
import io.flinkllmlingua.jobs.sql.SqlScript;
import io.flinkllmlingua.jobs.sql.SqlScriptRunner;
import io.flinkllmlingua.jobs.streaming.CompressionJob;
import io.flinkllmlingua.jobs.streaming.JobSettings;
import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.TinyModelGenerator;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Rows/s of the SQL paths (ML_PREDICT script, LLMLINGUA_COMPRESS script) against the DataStream job
 * ({@link CompressionJob}) on the same Kafka input, model, parallelism and engine settings, in one run on one
 * MiniCluster. Not a test: it runs only with {@code -Dllmlingua.bench=true} and prints a table (also written to
 * {@code target/sql-vs-datastream.txt}); nothing is asserted about timings.
 *
 * <pre>
 * mvn -B -Pcpu -o test -pl jobs -am -Dtest=SqlVsDataStreamBench -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dllmlingua.bench=true [-Dbench.records=200,1000] [-Dbench.rounds=2] [-Dbench.parallelism=2] [-Dbench.model=DIR]
 * </pre>
 *
 * Each size N is the first N records of {@code docs-en.jsonl} (repeated with new chunk ids past its end). Rows/s is
 * N over the job's net runtime (deployment, engine start and the final checkpoint included); with two sizes, the
 * marginal rate (N2 - N1) / (t2 - t1) removes those fixed costs.
 */
@EnabledIfSystemProperty(named = "llmlingua.bench", matches = "true")
class SqlVsDataStreamBench {
    private static final int PARALLELISM = Integer.getInteger("bench.parallelism", 2);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    // the test cluster on 127.0.0.1 only, like every local run
                    .setConfiguration(io.flinkllmlingua.jobs.cli.LocalFlink.loopback(new org.apache.flink.configuration.Configuration()))
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(PARALLELISM).build());

    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(String path, int records, int round, double netSeconds, double wallSeconds) {
        double rowsPerSecond() {
            return records / netSeconds;
        }
    }

    @Test
    void compare() throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (String s : System.getProperty("bench.records", "200").split(",")) {
            sizes.add(Integer.parseInt(s.trim()));
        }
        int rounds = Integer.getInteger("bench.rounds", 2);
        Path model;
        String modelNote;
        if (System.getProperty("bench.model") != null) {
            model = Path.of(System.getProperty("bench.model"));
            modelNote = model.toString();
        } else {
            model = Files.createTempDirectory("bench-model");
            TinyModelGenerator.generateTiny(model, GeneratedFamily.WORDPIECE);
            modelNote = "generated tiny WORDPIECE (TinyModelGenerator.generateTiny)";
        }
        Path corpusFile = TestData.corpus("docs-en.jsonl");
        List<String> corpus = Files.readAllLines(corpusFile);
        List<Run> runs = new ArrayList<>();
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
            for (int n : sizes) {
                String input = "bench-in-" + n;
                kafka.createTopics(PARALLELISM, input);
                produce(kafka.bootstrapServers(), input, records(corpus, n));
                for (int round = 1; round <= rounds; round++) {
                    runs.add(dataStream(kafka, input, n, round, model));
                    runs.add(sql(kafka, input, n, round, model, "kafka-ml-predict.sql", "SQL ML_PREDICT"));
                    runs.add(sql(kafka, input, n, round, model, "kafka-function.sql", "SQL LLMLINGUA_COMPRESS"));
                }
            }
        }
        report(runs, sizes, rounds, modelNote);
    }

    private static List<String> records(List<String> corpus, int n) throws Exception {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ObjectNode o = (ObjectNode) JSON.readTree(corpus.get(i % corpus.size()));
            if (i >= corpus.size()) {
                o.put("chunk_id", o.get("chunk_id").asText() + "~" + (i / corpus.size()));
            }
            out.add(o.toString());
        }
        return out;
    }

    private static Map<String, String> engineOptions(Path model) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("llmlingua.model.path", model.toString());
        m.put("llmlingua.provider", "CPU");
        m.put("llmlingua.threads", "1");
        return m;
    }

    private static Run dataStream(EmbeddedKafkaBroker kafka, String input, int n, int round, Path model) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        JobSettings s = new JobSettings();
        s.bootstrapServers = kafka.bootstrapServers();
        s.inputTopic = input;
        s.outputTopic = "bench-ds-" + id;
        s.deadLetterTopic = "bench-ds-dlq-" + id;
        s.groupId = "g-" + id;
        s.transactionalIdPrefix = "tx-" + id;
        s.transactionTimeout = Duration.ofMinutes(2);
        s.startFrom = JobSettings.StartFrom.EARLIEST;
        s.bounded = true;
        s.checkpointInterval = Duration.ofSeconds(2);
        s.parallelism = PARALLELISM;
        s.llmlingua.putAll(engineOptions(model));
        kafka.createTopics(PARALLELISM, s.outputTopic, s.deadLetterTopic);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        long t0 = System.nanoTime();
        CompressionJob.build(env, s);
        JobExecutionResult r = env.execute("bench datastream " + id);
        double wall = (System.nanoTime() - t0) / 1e9;
        assertEquals(n, count(kafka.bootstrapServers(), s.outputTopic), "DataStream outputs");
        return new Run("DataStream CompressionJob", n, round, r.getNetRuntime() / 1000.0, wall);
    }

    private static Run sql(EmbeddedKafkaBroker kafka, String input, int n, int round, Path model, String script,
                           String name) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> v = new LinkedHashMap<>();
        v.put("bootstrap_servers", kafka.bootstrapServers());
        v.put("input_topic", input);
        v.put("output_topic", "bench-sql-" + id);
        v.put("model_path", model.toString());
        v.put("parallelism", String.valueOf(PARALLELISM));
        v.put("checkpoint_interval", "2 s");
        v.put("group_id", "g-" + id);
        v.put("startup_mode", "earliest-offset");
        v.put("bounded_mode", "latest-offset");
        v.put("execution_provider", "CPU");
        v.put("threads", "1");
        v.put("max_concurrent", "64");
        v.put("transactional_id_prefix", "tx-" + id);
        v.put("transaction_timeout_ms", "120000");
        kafka.createTopics(PARALLELISM, v.get("output_topic"));
        String text;
        try (InputStream in = SqlVsDataStreamBench.class.getResourceAsStream("/sql/" + script)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        long t0 = System.nanoTime();
        List<SqlScriptRunner.Job> jobs = new SqlScriptRunner(new PrintStream(PrintStream.nullOutputStream()), true, false)
                .run(SqlScript.parse(text, v), SqlScriptRunner.tableEnvironment(new Configuration()));
        double wall = (System.nanoTime() - t0) / 1e9;
        assertEquals(1, jobs.size());
        assertEquals(n, count(kafka.bootstrapServers(), v.get("output_topic")), name + " outputs");
        return new Run(name, n, round, jobs.get(0).result().getNetRuntime() / 1000.0, wall);
    }

    private static void produce(String bootstrap, String topic, List<String> lines) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("acks", "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (String line : lines) {
                String key = JSON.readTree(line).get("chunk_id").asText();
                producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                        line.getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    private static long count(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("isolation.level", "read_committed");
        long n = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic).forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                n += c.poll(Duration.ofMillis(200)).count();
                boolean done = true;
                for (TopicPartition tp : parts) {
                    done &= c.position(tp) >= end.get(tp);
                }
                if (done) {
                    break;
                }
            }
        }
        return n;
    }

    private static void report(List<Run> runs, List<Integer> sizes, int rounds, String modelNote) throws Exception {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "SQL vs DataStream on one MiniCluster: parallelism %d, %d cores, model %s,"
                        + " CPU, 1 ORT thread per engine, 64 rows in flight per subtask, exactly-once Kafka sinks, "
                        + "checkpoints every 2 s%n", PARALLELISM, Runtime.getRuntime().availableProcessors(), modelNote));
        sb.append(String.format(Locale.ROOT, "%-26s %7s %5s %9s %9s %9s%n", "path", "records", "round", "net s",
                "wall s", "rows/s"));
        for (Run r : runs) {
            sb.append(String.format(Locale.ROOT, "%-26s %7d %5d %9.2f %9.2f %9.1f%n", r.path(), r.records(), r.round(),
                    r.netSeconds(), r.wallSeconds(), r.rowsPerSecond()));
        }
        if (sizes.size() >= 2) {
            int a = sizes.get(0);
            int b = sizes.get(sizes.size() - 1);
            sb.append(String.format(Locale.ROOT, "marginal rows/s between %d and %d records (best net time of each):%n",
                    a, b));
            for (String path : runs.stream().map(Run::path).distinct().toList()) {
                double ta = runs.stream().filter(r -> r.path().equals(path) && r.records() == a)
                        .mapToDouble(Run::netSeconds).min().orElse(Double.NaN);
                double tb = runs.stream().filter(r -> r.path().equals(path) && r.records() == b)
                        .mapToDouble(Run::netSeconds).min().orElse(Double.NaN);
                sb.append(String.format(Locale.ROOT, "  %-26s %9.1f%n", path, (b - a) / (tb - ta)));
            }
        }
        System.out.print(sb);
        Files.writeString(Path.of("target", "sql-vs-datastream.txt"), sb.toString(), StandardCharsets.UTF_8);
    }
}
