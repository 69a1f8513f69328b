package io.flinkllmlingua.jobs.backfill;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * What a backfill reads, where it writes, and the operator options. Filled by {@link BackfillJobMain} from the
 * command line, or directly by code and tests.
 */
public final class BackfillSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Where the chunks to compress come from. */
    public enum SourceKind { JSONL, KAFKA, POSTGRES }

    /** Where compressed chunks go (the failures output is of the same kind). */
    public enum SinkKind { KAFKA, JSONL, POSTGRES }

    public SourceKind source = SourceKind.JSONL;
    public SinkKind sink = SinkKind.JSONL;

    /** JSONL input: a file or a directory (read recursively, hidden files skipped), on any Flink file system. */
    public String inputPath;

    /** Kafka (source and sink). */
    public String bootstrapServers;
    public String inputTopic = "chunks";
    /** {@code earliest}, {@code timestamp:EPOCH_MS} or {@code offsets:PARTITION=OFFSET,...} (others: earliest). */
    public String kafkaStart = "earliest";
    public String outputTopic = "chunks-compressed";
    public String failuresTopic = "chunks-backfill-failures";
    public Properties kafkaProperties = new Properties();

    /** PostgreSQL (source and sink). */
    public String jdbcUrl;
    public String jdbcUser;
    public String jdbcPassword;
    public String sourceTable = "documents";
    /** Numeric column for parallel key-range splits; null reads the table as one split. */
    public String sourceSplitColumn;
    public int sourceSplits = 0;
    /** Optional metadata column (JSON text or jsonb) passed through as {@code metadata}; null for none. */
    public String sourceMetadataColumn = "metadata";
    public String targetTable = "chunks_compressed";
    /** Defaults to {@code <targetTable>_failures}. */
    public String failuresTable;

    /** JSONL output directories (Flink FileSink; files become visible when the run finishes). */
    public String outputPath;
    public String failuresPath;

    /** Operator options ({@code llmlingua.*}), as for the streaming job. */
    public Map<String, String> llmlingua = new LinkedHashMap<>();

    public int parallelism = -1;
    public Duration progressInterval = Duration.ofSeconds(10);
    /** Written as JSON when set. */
    public Path reportFile;
    /** Stored with each PostgreSQL row (column {@code run_id}); a fresh UUID by default. */
    public String runId = UUID.randomUUID().toString();

    public String failuresTableName() {
        return failuresTable != null ? failuresTable : targetTable + "_failures";
    }
}
