package io.flinkllmlingua.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.testkit.kafka.CommittedRecords;
import io.flinkllmlingua.testkit.kafka.EmbeddedKafkaBroker;
import io.flinkllmlingua.training.demo.TeacherDemoModel;
import io.flinkllmlingua.training.eval.Evaluator;
import io.flinkllmlingua.jobs.cli.JobLog;
import io.flinkllmlingua.jobs.cli.LocalFlink;
import io.flinkllmlingua.jobs.streaming.CompressionJob;
import io.flinkllmlingua.jobs.streaming.JobRecovery;
import io.flinkllmlingua.jobs.streaming.JobSettings;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The embedded default: a real single-node Kafka broker (KRaft, 127.0.0.1) and a local Flink MiniCluster in this
 * JVM, the bundled sample corpus sent to the input topic (plus two malformed records to show the dead-letter
 * path), the streaming job run until the input is consumed, then a summary and a few before/after samples.
 */
public final class EmbeddedDefault {
    static final String CORPUS = "/io/flinkllmlingua/testkit/corpus/sample-docs.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private EmbeddedDefault() {}

    public static int run(JobSettings s, int limit, boolean compareEngine, PrintStream out) throws Exception {
        long start = System.nanoTime();
        TeacherDemoModel.Built demoModel = null;
        if (!s.llmlingua.containsKey("llmlingua.model.path")) {
            demoModel = TeacherDemoModel.ensure(out);
            s.llmlingua.put("llmlingua.model.path", demoModel.directory().toString());
            s.llmlingua.putIfAbsent("llmlingua.model.id", TeacherDemoModel.MODEL_ID);
            // The demo model's tokenizer lower-cases: cut kept words from the original text for readable samples.
            s.llmlingua.putIfAbsent("llmlingua.render-mode", "ORIGINAL_SPANS");
        }
        List<String> corpus = readCorpus(limit);
        Path checkpointDir = null;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            out.printf("Kafka broker (KRaft) on %s%n", broker.bootstrapServers());
            broker.createTopics(2, s.inputTopic, s.outputTopic);
            broker.createTopics(1, s.deadLetterTopic);
            // The source commits its offsets to the group at checkpoints; a coordinator still loading logs WARNs.
            broker.awaitGroupCoordinator(s.groupId);
            s.bootstrapServers = broker.bootstrapServers();
            s.bounded = true;
            s.startFrom = JobSettings.StartFrom.EARLIEST;
            s.checkpointInterval = Duration.ofSeconds(2);
            // File-system checkpoints (in-flight async records outgrow the JobManager's in-memory storage); in a
            // temporary directory, since the demo's broker and topics do not outlive the run, so neither may state.
            Path checkpoints = Files.createTempDirectory("flink-llmlingua-demo-checkpoints");
            checkpointDir = checkpoints;
            s.checkpointDir = checkpoints.toString();
            s.retainedCheckpoints = 1;
            if (s.restartAttempts == null) {
                s.restartAttempts = JobRecovery.DEFAULT_RESTART_ATTEMPTS;
            }
            if (s.parallelism <= 0) {
                s.parallelism = 2;
            }
            int sent = produce(broker.bootstrapServers(), s.inputTopic, corpus);
            out.printf("Sent %d records to '%s' (%d sample chunks + 2 malformed ones)%n", sent, s.inputTopic, corpus.size());

            StreamExecutionEnvironment env = LocalFlink.localEnvironment(s.parallelism, new Configuration());
            CompressionJob.build(env, s);
            JobLog.started("demo", io.flinkllmlingua.flink.LlmLinguaConfig.fromMap(s.llmlingua), s.inputTopic + " -> "
                    + s.outputTopic + " (dead letters: " + s.deadLetterTopic + ")", env);
            long jobStart = System.nanoTime();
            JobClient job = env.executeAsync("flink-llmlingua embedded default");
            Progress progress = new Progress(broker.bootstrapServers(), s, sent, out);
            while (!job.getJobExecutionResult().isDone()) {
                progress.print();
                try {
                    job.getJobExecutionResult().get(2, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    // keep reporting
                }
            }
            JobExecutionResult result = job.getJobExecutionResult().get();
            double jobSeconds = (System.nanoTime() - jobStart) / 1e9;
            Summary summary = Summary.read(broker.bootstrapServers(), s, sent);
            progress.close();
            summary.print(out, jobSeconds, corpus);
            if (demoModel != null) {
                printEvaluation(demoModel, out);
            }
            if (compareEngine) {
                compareWithEngine(s, corpus, summary, jobSeconds, out);
            }
            out.printf(Locale.ROOT, "Job %s finished in %.1f s; total %.1f s%n", result.getJobID(), jobSeconds,
                    (System.nanoTime() - start) / 1e9);
            return summary.missing() == 0 ? 0 : 1;
        } finally {
            if (checkpointDir != null) {
                org.apache.flink.util.FileUtils.deleteDirectoryQuietly(checkpointDir.toFile());
            }
        }
    }

    /** How far the demo model's keep decisions are from the real LLMLingua-2's, on the golden cases. */
    private static void printEvaluation(TeacherDemoModel.Built model, PrintStream out) {
        out.println();
        out.println("Demo model vs LLMLingua-2 (keep-word F1 at the same rate on the reference's golden cases; "
                + "`llmlingua eval`)");
        for (String language : List.of("en", "zh")) {
            var r = model.evaluation().language(language);
            out.printf(Locale.ROOT, "  %s: %.3f (random %.3f, non-stopwords in text order %.3f; %d texts, %d words)%n",
                    language, r.microF1(Evaluator.MODEL), r.microF1(Evaluator.RANDOM), r.microF1(Evaluator.STOPWORD),
                    r.texts(), r.units());
        }
    }

    /** Engine alone on the same texts, model and options, with as many concurrent callers as the job had in flight. */
    private static void compareWithEngine(JobSettings s, List<String> corpus, Summary summary, double jobSeconds,
                                          PrintStream out) throws Exception {
        io.flinkllmlingua.flink.LlmLinguaConfig config = io.flinkllmlingua.flink.LlmLinguaConfig.fromMap(s.llmlingua);
        List<String> texts = new ArrayList<>();
        for (String line : corpus) {
            texts.add(JSON.readTree(line).get("text").asText());
        }
        int callers = Math.max(1, s.parallelism) * config.capacity();
        List<io.flinkllmlingua.bench.EngineBenchmark.Row> rows = io.flinkllmlingua.bench.EngineBenchmark
                .compare(config.engine(), texts, config.defaults(), Math.min(callers, texts.size()), out);
        out.println();
        out.println("Engine alone on the same corpus (same model and options, one engine):");
        io.flinkllmlingua.bench.EngineBenchmark.print(rows, out);
        long tokens = summary.compressed().stream().mapToLong(n -> n.get("original_tokens").asLong()).sum();
        double job = tokens / jobSeconds;
        double engine = rows.get(1).tokensPerSecond();
        out.printf(Locale.ROOT, "end-to-end job / engine-only (batched) throughput: %.0f / %.0f tokens/s = %.2f%n",
                job, engine, job / engine);
    }

    static List<String> readCorpus(int limit) throws IOException {
        List<String> lines = new ArrayList<>();
        try (InputStream in = EmbeddedDefault.class.getResourceAsStream(CORPUS)) {
            if (in == null) {
                throw new IOException("sample corpus " + CORPUS + " is not on the classpath");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null && (limit <= 0 || lines.size() < limit)) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
        }
        return lines;
    }

    private static int produce(String bootstrap, String topic, List<String> corpus) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("acks", "all");
        int n = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (String line : corpus) {
                String key = JSON.readTree(line).path("chunk_id").asText();
                producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                        line.getBytes(StandardCharsets.UTF_8))).get();
                n++;
            }
            producer.send(new ProducerRecord<>(topic, "bad-json".getBytes(StandardCharsets.UTF_8),
                    "{\"doc_id\": \"x\", \"text\": ".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(topic, "no-text".getBytes(StandardCharsets.UTF_8),
                    "{\"doc_id\": \"x\", \"chunk_id\": \"x#000\"}".getBytes(StandardCharsets.UTF_8))).get();
            n += 2;
        }
        return n;
    }

    /**
     * Counts output and dead-letter records while the job runs: <b>written</b> = records the job has produced so far
     * (read_uncommitted: in transactions that the next checkpoint commits), which advances as records are compressed;
     * <b>committed</b> = records in committed transactions (read_committed), which advances at each checkpoint.
     */
    private static final class Progress implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> committedReader;
        private final KafkaConsumer<byte[], byte[]> writtenReader;
        private final int expected;
        private final PrintStream out;
        private long committed;
        private long written;
        private final long t0 = System.nanoTime();

        Progress(String bootstrap, JobSettings s, int expected, PrintStream out) {
            this.committedReader = CommittedRecords.reader(bootstrap);
            CommittedRecords.assignFromBeginning(committedReader, s.outputTopic, s.deadLetterTopic);
            this.writtenReader = CommittedRecords.reader(bootstrap, "read_uncommitted");
            CommittedRecords.assignFromBeginning(writtenReader, s.outputTopic, s.deadLetterTopic);
            this.expected = expected;
            this.out = out;
        }

        void print() {
            written += writtenReader.poll(Duration.ofMillis(100)).count();
            committed += committedReader.poll(Duration.ofMillis(100)).count();
            out.printf(Locale.ROOT, "progress: %d/%d records processed (%.0f%%, written to Kafka), %d committed "
                            + "(at checkpoints), %.0f s%n", written, expected, 100.0 * written / expected, committed,
                    (System.nanoTime() - t0) / 1e9);
        }

        @Override
        public void close() {
            committedReader.close();
            writtenReader.close();
        }
    }

    /** What the job wrote, read back with read_committed. */
    record Summary(int expected, List<JsonNode> compressed, List<JsonNode> deadLetters) {
        static Summary read(String bootstrap, JobSettings s, int expected) {
            List<JsonNode> compressed = new ArrayList<>();
            List<JsonNode> dead = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r
                    : CommittedRecords.readAll(bootstrap, Duration.ofSeconds(30), s.outputTopic, s.deadLetterTopic)) {
                try {
                    JsonNode n = JSON.readTree(r.value());
                    (r.topic().equals(s.deadLetterTopic) ? dead : compressed).add(n);
                } catch (IOException e) {
                    throw new IllegalStateException("output record is not JSON", e);
                }
            }
            return new Summary(expected, compressed, dead);
        }

        int missing() {
            return expected - compressed.size() - deadLetters.size();
        }

        void print(PrintStream out, double jobSeconds, List<String> corpus) throws IOException {
            long in = 0;
            long kept = 0;
            for (JsonNode n : compressed) {
                in += n.get("original_tokens").asLong();
                kept += n.get("compressed_tokens").asLong();
            }
            out.println();
            out.println("Summary");
            out.printf(Locale.ROOT, "  records in:        %d%n", expected);
            out.printf(Locale.ROOT, "  compressed:        %d%n", compressed.size());
            out.printf(Locale.ROOT, "  dead letters:      %d%s%n", deadLetters.size(), deadLetters.isEmpty() ? ""
                    : " (" + String.join(", ", deadLetters.stream().map(d -> d.path("error").path("class").asText()).toList()) + ")");
            out.printf(Locale.ROOT, "  missing:           %d%n", missing());
            out.printf(Locale.ROOT, "  tokens in / out:   %d / %d (cl100k_base)%n", in, kept);
            out.printf(Locale.ROOT, "  overall ratio:     %.2fx%n", kept == 0 ? 0.0 : (double) in / kept);
            out.printf(Locale.ROOT, "  throughput:        %.0f tokens/s, %.1f records/s (job wall time %.1f s)%n",
                    in / jobSeconds, compressed.size() / jobSeconds, jobSeconds);
            Map<String, String> originals = new HashMap<>();
            for (String line : corpus) {
                JsonNode n = JSON.readTree(line);
                originals.put(n.get("chunk_id").asText(), n.get("text").asText());
            }
            out.println();
            out.println("Samples (the demo model is trained on rule-teacher labels, not LLMLingua-2: see README)");
            int shown = 0;
            for (JsonNode n : compressed) {
                if (shown == 3) {
                    break;
                }
                String original = originals.get(n.get("chunk_id").asText());
                if (original == null) {
                    continue;
                }
                out.printf(Locale.ROOT, "--- %s (%d -> %d tokens, %.1fx)%n", n.get("chunk_id").asText(),
                        n.get("original_tokens").asInt(), n.get("compressed_tokens").asInt(), n.get("ratio").asDouble());
                out.println("  before: " + abbreviate(original));
                out.println("  after:  " + abbreviate(n.get("compressed_text").asText()));
                shown++;
            }
        }

        private static String abbreviate(String s) {
            String one = s.replace('\n', ' ');
            return one.length() <= 300 ? one : one.substring(0, 300) + "...";
        }
    }
}
