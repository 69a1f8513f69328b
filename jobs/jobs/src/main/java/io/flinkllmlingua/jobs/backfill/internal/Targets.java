package io.flinkllmlingua.jobs.backfill.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.flink.ChunkOutcome;
import io.flinkllmlingua.flink.CompressedChunk;
import io.flinkllmlingua.flink.DeadLetter;
import io.flinkllmlingua.flink.RecordCodec;
import io.flinkllmlingua.jobs.backfill.BackfillSettings;
import io.flinkllmlingua.jobs.streaming.OutcomeSerializer;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.Encoder;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.jdbc.core.datastream.source.JdbcSource;
import org.apache.flink.connector.jdbc.core.datastream.source.JdbcSourceBuilder;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import static io.flinkllmlingua.jobs.backfill.internal.Inputs.quote;

/**
 * The backfill's targets: how to read what a target already holds (for the skip step) and how to write to it.
 *
 * <p>Delivery: the Kafka sink is at-least-once with the idempotent producer, and the PostgreSQL sink upserts by
 * (doc_id, chunk_id); both write as the run goes, so a restarted run skips what an interrupted one wrote. The
 * backfill is not restarted by Flink after a failure (a region restart would rewrite records already sent to
 * Kafka); the unit of recovery is rerunning the command. The JSONL sink (Flink's FileSink) makes its files
 * visible only when the run finishes: an interrupted run leaves only hidden in-progress files, which are neither
 * read back nor counted, and the rerun compresses everything again, once.
 */
public final class Targets {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Targets() {}

    /** Creates the topics or tables the run writes to when they are missing. */
    public static void prepare(BackfillSettings s) throws Exception {
        switch (s.sink) {
            case KAFKA:
                Properties p = new Properties();
                p.putAll(s.kafkaProperties);
                p.put("bootstrap.servers", s.bootstrapServers);
                try (Admin admin = Admin.create(p)) {
                    Set<String> existing = admin.listTopics().names().get();
                    List<NewTopic> missing = new ArrayList<>();
                    for (String t : List.of(s.outputTopic, s.failuresTopic)) {
                        if (!existing.contains(t)) {
                            missing.add(new NewTopic(t, java.util.Optional.empty(), java.util.Optional.empty()));
                        }
                    }
                    if (!missing.isEmpty()) {
                        admin.createTopics(missing).all().get();
                    }
                }
                break;
            case POSTGRES:
                try (Connection c = Inputs.connect(s); Statement st = c.createStatement()) {
                    st.execute("CREATE TABLE IF NOT EXISTS " + quote(s.targetTable) + " (doc_id text NOT NULL, "
                            + "chunk_id text NOT NULL, compressed_text text, original_tokens integer, "
                            + "compressed_tokens integer, ratio double precision, content_hash text, model text, "
                            + "record text, run_id text, compressed_at timestamptz NOT NULL DEFAULT now(), "
                            + "PRIMARY KEY (doc_id, chunk_id))");
                    st.execute("CREATE TABLE IF NOT EXISTS " + quote(s.failuresTableName()) + " (doc_id text, "
                            + "chunk_id text, error_class text, message text, record text, run_id text, "
                            + "failed_at timestamptz NOT NULL DEFAULT now())");
                }
                break;
            default:
                break;
        }
    }

    /** What the target holds now, or null when it holds nothing that could be read (no JSONL output yet). */
    public static DataStream<ExistingChunk> existing(StreamExecutionEnvironment env, BackfillSettings s) throws Exception {
        switch (s.sink) {
            case KAFKA: {
                Properties p = new Properties();
                p.putAll(s.kafkaProperties);
                p.putIfAbsent("isolation.level", "read_committed");
                KafkaSource<ExistingChunk> source = KafkaSource.<ExistingChunk>builder()
                        .setBootstrapServers(s.bootstrapServers)
                        .setTopics(s.outputTopic)
                        .setGroupId("flink-llmlingua-backfill-target")
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.latest())
                        .setDeserializer(new ExistingFromKafka())
                        .setProperties(p)
                        .build();
                return env.fromSource(source, WatermarkStrategy.noWatermarks(), "target: " + s.outputTopic)
                        .uid("backfill-target-kafka");
            }
            case JSONL: {
                Path out = new Path(s.outputPath);
                if (!out.getFileSystem().exists(out)) {
                    return null;
                }
                FileSource<byte[]> files = FileSource.forRecordStreamFormat(new JsonLineFormat(), out).build();
                return env.fromSource(files, WatermarkStrategy.noWatermarks(), "target: " + s.outputPath)
                        .uid("backfill-target-jsonl")
                        .flatMap((byte[] line, Collector<ExistingChunk> c) -> {
                            ExistingChunk e = parse(line);
                            if (e != null) {
                                c.collect(e);
                            }
                        }).returns(ExistingChunk.class).name("target-keys");
            }
            default: {
                // One query, so one split: the JDBC connector's source is safe with that (see PostgresRangeReader).
                JdbcSourceBuilder<ExistingChunk> b = JdbcSource.<ExistingChunk>builder()
                        .setDBUrl(s.jdbcUrl)
                        .setDriverName("org.postgresql.Driver")
                        .setSql("SELECT doc_id, chunk_id, content_hash, model FROM " + quote(s.targetTable))
                        .setResultExtractor(rs -> new ExistingChunk(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                        .setTypeInformation(TypeInformation.of(ExistingChunk.class))
                        .setResultSetFetchSize(1000);
                if (s.jdbcUser != null) {
                    b.setUsername(s.jdbcUser);
                }
                if (s.jdbcPassword != null) {
                    b.setPassword(s.jdbcPassword);
                }
                return env.fromSource(b.build(), WatermarkStrategy.noWatermarks(), "target: " + s.targetTable)
                        .uid("backfill-target-postgres");
            }
        }
    }

    /** An output record's key, hash and model; null for anything else (the target is not our input: no report). */
    static ExistingChunk parse(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(value);
            if (n == null || !n.path("doc_id").isTextual() || !n.path("chunk_id").isTextual()) {
                return null;
            }
            return new ExistingChunk(n.path("doc_id").asText(), n.path("chunk_id").asText(),
                    n.path("content_hash").asText(null), n.path("model").asText(null));
        } catch (IOException e) {
            return null;
        }
    }

    static final class ExistingFromKafka implements KafkaRecordDeserializationSchema<ExistingChunk> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ExistingChunk> out) {
            ExistingChunk e = parse(record.value());
            if (e != null) {
                out.collect(e);
            }
        }

        @Override
        public TypeInformation<ExistingChunk> getProducedType() {
            return TypeInformation.of(ExistingChunk.class);
        }
    }

    /** Adds the sinks of compressed chunks and failures: the CompressedChunk and DeadLetter JSON of every path. */
    public static void sink(DataStream<ChunkOutcome> outputs, BackfillSettings s) {
        switch (s.sink) {
            case KAFKA: {
                Properties producer = new Properties();
                producer.putAll(s.kafkaProperties);
                producer.putIfAbsent("enable.idempotence", "true");
                KafkaSink<ChunkOutcome> sink = KafkaSink.<ChunkOutcome>builder()
                        .setBootstrapServers(s.bootstrapServers)
                        .setRecordSerializer(new OutcomeSerializer(s.outputTopic, s.failuresTopic,
                                OutcomeSerializer.maxRequestSize(producer)))
                        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                        .setKafkaProducerConfig(producer)
                        .build();
                outputs.sinkTo(sink).name("kafka: " + s.outputTopic + " + " + s.failuresTopic).uid("backfill-kafka-sink");
                break;
            }
            case JSONL: {
                outputs.filter(o -> !o.isDeadLetter()).name("compressed")
                        .sinkTo(FileSink.forRowFormat(new Path(s.outputPath), new JsonLineEncoder()).build())
                        .name("jsonl: " + s.outputPath).uid("backfill-jsonl-sink");
                outputs.filter(ChunkOutcome::isDeadLetter).name("failures")
                        .sinkTo(FileSink.forRowFormat(new Path(s.failuresPath), new JsonLineEncoder()).build())
                        .name("jsonl: " + s.failuresPath).uid("backfill-jsonl-failures-sink");
                break;
            }
            default: {
                JdbcConnectionOptions conn = new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(s.jdbcUrl).withDriverName("org.postgresql.Driver")
                        .withUsername(s.jdbcUser).withPassword(s.jdbcPassword).build();
                JdbcExecutionOptions exec = JdbcExecutionOptions.builder()
                        .withBatchSize(200).withBatchIntervalMs(1000).withMaxRetries(3).build();
                String runId = s.runId;
                String upsert = "INSERT INTO " + quote(s.targetTable) + " (doc_id, chunk_id, compressed_text, "
                        + "original_tokens, compressed_tokens, ratio, content_hash, model, record, run_id, compressed_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()) ON CONFLICT (doc_id, chunk_id) DO UPDATE SET "
                        + "compressed_text = EXCLUDED.compressed_text, original_tokens = EXCLUDED.original_tokens, "
                        + "compressed_tokens = EXCLUDED.compressed_tokens, ratio = EXCLUDED.ratio, "
                        + "content_hash = EXCLUDED.content_hash, model = EXCLUDED.model, record = EXCLUDED.record, "
                        + "run_id = EXCLUDED.run_id, compressed_at = EXCLUDED.compressed_at";
                outputs.filter(o -> !o.isDeadLetter()).name("compressed")
                        .sinkTo(JdbcSink.<ChunkOutcome>builder().withExecutionOptions(exec)
                                .withQueryStatement(upsert, (ps, o) -> {
                                    CompressedChunk c = o.compressed;
                                    ps.setString(1, c.docId());
                                    ps.setString(2, c.chunkId());
                                    ps.setString(3, c.compressedText());
                                    ps.setLong(4, c.originalTokens());
                                    ps.setLong(5, c.compressedTokens());
                                    if (c.ratio() == null) {
                                        ps.setNull(6, Types.DOUBLE);
                                    } else {
                                        ps.setDouble(6, c.ratio());
                                    }
                                    ps.setString(7, c.contentHash());
                                    ps.setString(8, c.model());
                                    ps.setString(9, RecordCodec.toJson(c));
                                    ps.setString(10, runId);
                                })
                                .buildAtLeastOnce(conn))
                        .name("postgres: " + s.targetTable).uid("backfill-postgres-sink");
                String insertFailure = "INSERT INTO " + quote(s.failuresTableName())
                        + " (doc_id, chunk_id, error_class, message, record, run_id) VALUES (?, ?, ?, ?, ?, ?)";
                outputs.filter(ChunkOutcome::isDeadLetter).name("failures")
                        .sinkTo(JdbcSink.<ChunkOutcome>builder().withExecutionOptions(exec)
                                .withQueryStatement(insertFailure, (ps, o) -> {
                                    DeadLetter d = o.deadLetter;
                                    ps.setString(1, d.docId());
                                    ps.setString(2, d.chunkId());
                                    ps.setString(3, d.errorClass());
                                    ps.setString(4, d.error().message());
                                    // PostgreSQL text cannot hold NUL; the record keeps the original bytes escaped.
                                    ps.setString(5, RecordCodec.toJson(d));
                                    ps.setString(6, runId);
                                })
                                .buildAtLeastOnce(conn))
                        .name("postgres: " + s.failuresTableName()).uid("backfill-postgres-failures-sink");
            }
        }
    }

    /** One JSON record per line. */
    static final class JsonLineEncoder implements Encoder<ChunkOutcome> {
        private static final long serialVersionUID = 1L;

        @Override
        public void encode(ChunkOutcome o, OutputStream out) throws IOException {
            out.write(o.isDeadLetter() ? RecordCodec.encode(o.deadLetter) : RecordCodec.encode(o.compressed));
            out.write('\n');
        }
    }
}
