package io.flinkllmlingua.jobs.backfill.internal;

import io.flinkllmlingua.flink.JsonLines;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.flink.SourceRecord;
import io.flinkllmlingua.jobs.backfill.BackfillSettings;
import io.flinkllmlingua.jobs.streaming.SourceRecordDeserializer;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.jdbc.core.datastream.source.reader.extractor.ResultExtractor;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** The backfill's bounded sources, each with the up-front count of its records (the progress total). */
public final class Inputs {
    private Inputs() {}

    public static DataStream<SourceRecord> create(StreamExecutionEnvironment env, BackfillSettings s) throws Exception {
        switch (s.source) {
            case JSONL:
                return jsonl(env, s);
            case KAFKA:
                return kafka(env, s);
            default:
                return postgres(env, s);
        }
    }

    public static long count(BackfillSettings s) throws Exception {
        return countWithBlankLines(s).records();
    }

    /** {@link #count}, and for JSONL the blank lines the source skips (for the report); 0 for other sources. */
    public static JsonLines.LineCounts countWithBlankLines(BackfillSettings s) throws Exception {
        if (s.source == BackfillSettings.SourceKind.JSONL) {
            return countJsonl(new Path(s.inputPath));
        }
        return new JsonLines.LineCounts(countOther(s), 0);
    }

    private static long countOther(BackfillSettings s) throws Exception {
        switch (s.source) {
            case JSONL:
                return countLines(new Path(s.inputPath));
            case KAFKA:
                return countKafka(s);
            default:
                return countRows(s);
        }
    }

    // ---- JSONL files

    private static DataStream<SourceRecord> jsonl(StreamExecutionEnvironment env, BackfillSettings s) {
        FileSource<byte[]> files = FileSource.forRecordStreamFormat(new JsonLineFormat(), new Path(s.inputPath)).build();
        String topic = "file:" + s.inputPath;
        return env.fromSource(files, WatermarkStrategy.noWatermarks(), "jsonl: " + s.inputPath).uid("backfill-jsonl-source")
                .map(line -> SourceRecord.ofValue(topic, -1, line)).returns(SourceRecord.class).name("jsonl-records");
    }

    /** Records in a file or, recursively, a directory (hidden files skipped, as FileSource does). */
    static long countLines(Path path) throws IOException {
        return countJsonl(path).records();
    }

    static JsonLines.LineCounts countJsonl(Path path) throws IOException {
        FileSystem fs = path.getFileSystem();
        FileStatus status = fs.getFileStatus(path);
        if (!status.isDir()) {
            try (InputStream in = fs.open(path)) {
                return JsonLines.count(in);
            }
        }
        JsonLines.LineCounts n = new JsonLines.LineCounts(0, 0);
        for (FileStatus child : fs.listStatus(path)) {
            String name = child.getPath().getName();
            if (!name.startsWith(".") && !name.startsWith("_")) {
                n = n.plus(countJsonl(child.getPath()));
            }
        }
        return n;
    }

    // ---- a bounded Kafka range

    private static DataStream<SourceRecord> kafka(StreamExecutionEnvironment env, BackfillSettings s) {
        Properties p = new Properties();
        p.putAll(s.kafkaProperties);
        p.putIfAbsent("isolation.level", "read_committed");
        KafkaSource<SourceRecord> source = KafkaSource.<SourceRecord>builder()
                .setBootstrapServers(s.bootstrapServers)
                .setTopics(s.inputTopic)
                .setGroupId("flink-llmlingua-backfill")
                .setDeserializer(new SourceRecordDeserializer())
                .setStartingOffsets(startingOffsets(s))
                // The range ends at the latest offsets as of the start: records written later are the streaming
                // job's.
                .setBounded(OffsetsInitializer.latest())
                .setProperties(p)
                .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka: " + s.inputTopic).uid("backfill-kafka-source");
    }

    static OffsetsInitializer startingOffsets(BackfillSettings s) {
        String start = s.kafkaStart == null ? "earliest" : s.kafkaStart.trim();
        if (start.startsWith("timestamp:")) {
            return OffsetsInitializer.timestamp(Long.parseLong(start.substring("timestamp:".length())));
        }
        if (start.startsWith("offsets:")) {
            return OffsetsInitializer.offsets(parseOffsets(s.inputTopic, start.substring("offsets:".length())));
        }
        if (!start.equals("earliest")) {
            throw new IllegalArgumentException("Kafka start must be earliest, timestamp:EPOCH_MS or offsets:P=O,...: " + start);
        }
        return OffsetsInitializer.earliest();
    }

    static Map<TopicPartition, Long> parseOffsets(String topic, String spec) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split("=");
            if (kv.length != 2) {
                throw new IllegalArgumentException("expected PARTITION=OFFSET, got '" + part + "'");
            }
            offsets.put(new TopicPartition(topic, Integer.parseInt(kv[0].trim())), Long.parseLong(kv[1].trim()));
        }
        return offsets;
    }

    /** End minus start offsets (an upper bound under transactions: commit markers take offsets too). */
    static long countKafka(BackfillSettings s) throws Exception {
        Properties p = new Properties();
        p.putAll(s.kafkaProperties);
        p.put("bootstrap.servers", s.bootstrapServers);
        try (Admin admin = Admin.create(p)) {
            int partitions = admin.describeTopics(java.util.List.of(s.inputTopic)).allTopicNames().get()
                    .get(s.inputTopic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> first = new HashMap<>();
            String start = s.kafkaStart == null ? "earliest" : s.kafkaStart.trim();
            Map<TopicPartition, Long> given = start.startsWith("offsets:")
                    ? parseOffsets(s.inputTopic, start.substring("offsets:".length())) : Map.of();
            for (int i = 0; i < partitions; i++) {
                TopicPartition tp = new TopicPartition(s.inputTopic, i);
                latest.put(tp, OffsetSpec.latest());
                first.put(tp, start.startsWith("timestamp:")
                        ? OffsetSpec.forTimestamp(Long.parseLong(start.substring("timestamp:".length())))
                        : OffsetSpec.earliest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = admin.listOffsets(first).all().get();
            long total = 0;
            for (TopicPartition tp : latest.keySet()) {
                long end = ends.get(tp).offset();
                long from = starts.get(tp).offset();
                if (from < 0) {
                    from = end; // no record at or after the timestamp
                }
                if (start.startsWith("offsets:")) {
                    // Partitions not named start from the earliest offset, as OffsetsInitializer.offsets does.
                    from = given.getOrDefault(tp, from);
                }
                total += Math.max(0, end - from);
            }
            return total;
        }
    }

    // ---- a PostgreSQL table

    private static DataStream<SourceRecord> postgres(StreamExecutionEnvironment env, BackfillSettings s) throws SQLException {
        String metadata = s.sourceMetadataColumn == null || s.sourceMetadataColumn.isEmpty()
                ? "NULL" : quote(s.sourceMetadataColumn) + "::text";
        String sql = "SELECT doc_id, chunk_id, text, " + metadata + " FROM " + quote(s.sourceTable);
        long[][] ranges = new long[0][];
        if (s.sourceSplitColumn != null && !s.sourceSplitColumn.isEmpty()) {
            long[] range = minMax(s);
            int splits = s.sourceSplits > 0 ? s.sourceSplits : Math.max(1, env.getParallelism()) * 4;
            sql += " WHERE " + quote(s.sourceSplitColumn) + " BETWEEN ? AND ?";
            ranges = PostgresRangeReader.ranges(range[0], range[1], splits);
        }
        // Key ranges are spread over the subtasks by a bounded sequence source; each range is one query.
        return env.fromSequence(0, Math.max(1, ranges.length) - 1).name("postgres ranges: " + s.sourceTable)
                .uid("backfill-postgres-ranges")
                .flatMap(new PostgresRangeReader(s.jdbcUrl, s.jdbcUser, s.jdbcPassword, sql, ranges, s.sourceTable))
                .returns(SourceRecord.class).name("postgres: " + s.sourceTable).uid("backfill-postgres-source");
    }

    private static long[] minMax(BackfillSettings s) throws SQLException {
        try (Connection c = connect(s); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(min(" + quote(s.sourceSplitColumn) + "), 0), coalesce(max("
                     + quote(s.sourceSplitColumn) + "), 0) FROM " + quote(s.sourceTable))) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    static long countRows(BackfillSettings s) throws SQLException {
        try (Connection c = connect(s); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + quote(s.sourceTable))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public static Connection connect(BackfillSettings s) throws SQLException {
        return DriverManager.getConnection(s.jdbcUrl, s.jdbcUser, s.jdbcPassword);
    }

    /** A table or column name as a quoted SQL identifier (schema-qualified names keep their dot). */
    public static String quote(String identifier) {
        StringBuilder sb = new StringBuilder();
        for (String part : identifier.split("\\.")) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append('"').append(part.replace("\"", "\"\"")).append('"');
        }
        return sb.toString();
    }

    /**
     * A row as the input record the operator reads: {@code {"doc_id", "chunk_id", "text", "metadata"}}. A null
     * text stays null, so that the operator reports the row with the reason instead of it vanishing here.
     */
    static final class RowToRecord implements ResultExtractor<SourceRecord> {
        // Also the JDBC connector's extractor interface, so that the connector's source could use it again.
        private static final long serialVersionUID = 1L;
        private static final ObjectMapper JSON = new ObjectMapper();
        private final String table;

        RowToRecord(String table) {
            this.table = table;
        }

        @Override
        public SourceRecord extract(ResultSet rs) throws SQLException {
            ObjectNode row = JSON.createObjectNode();
            row.put("doc_id", rs.getString(1));
            row.put("chunk_id", rs.getString(2));
            row.put("text", rs.getString(3));
            String metadata = rs.getString(4);
            if (metadata != null) {
                try {
                    row.set("metadata", JSON.readTree(metadata));
                } catch (IOException e) {
                    row.put("metadata", metadata);
                }
            }
            try {
                return SourceRecord.ofValue("postgres:" + table, -1, JSON.writeValueAsBytes(row));
            } catch (IOException e) {
                throw new SQLException("cannot encode row " + rs.getString(1) + "/" + rs.getString(2), e);
            }
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
