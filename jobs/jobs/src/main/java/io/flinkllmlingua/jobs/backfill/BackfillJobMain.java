package io.flinkllmlingua.jobs.backfill;

import io.flinkllmlingua.flink.LlmLinguaOptions;
import io.flinkllmlingua.jobs.cli.EntryPoint;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * Entry point of the bulk backfill: one bounded run (Flink BATCH mode) over JSONL files, a Kafka range or a
 * PostgreSQL table, into the RAG-index topic, JSONL files or a PostgreSQL table. Runs locally, or on a cluster
 * with {@code flink run -c io.flinkllmlingua.jobs.backfill.BackfillJobMain ...}.
 *
 * <p>Operator options, lowest precedence first: their declared defaults, {@code llmlingua.*} keys of the cluster
 * configuration, the {@code --config} file, {@code -D}, {@code --model}; unknown keys are refused on each. A user's
 * mistake is one line on stderr and exit code 2; inside a cluster context it is thrown instead ({@link EntryPoint}).
 */
@Command(name = "backfill", mixinStandardHelpOptions = true,
        description = "Compress an existing corpus once, resumably: chunks already compressed with the same content "
                + "and model are skipped.")
public final class BackfillJobMain implements Callable<Integer> {

    @Option(names = "--source", required = true, description = "JSONL, KAFKA or POSTGRES.")
    BackfillSettings.SourceKind source;

    @Option(names = "--sink", required = true, description = "KAFKA, JSONL or POSTGRES.")
    BackfillSettings.SinkKind sink;

    @Option(names = "--input", description = "JSONL source: a file or directory, on any Flink file system (file://, s3://, hdfs://).")
    String input;

    @Option(names = "--bootstrap-servers", description = "Kafka source or sink: bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--input-topic", defaultValue = "chunks", description = "Kafka source topic (default: ${DEFAULT-VALUE}).")
    String inputTopic;

    @Option(names = "--start", defaultValue = "earliest",
            description = "Kafka source range start: earliest, timestamp:EPOCH_MS or offsets:P=O,P=O (default: ${DEFAULT-VALUE}); "
                    + "the range ends at the latest offsets at start.")
    String start;

    @Option(names = "--output-topic", defaultValue = "chunks-compressed", description = "Kafka sink topic (default: ${DEFAULT-VALUE}).")
    String outputTopic;

    @Option(names = "--failures-topic", defaultValue = "chunks-backfill-failures",
            description = "Kafka sink: topic of failed rows (default: ${DEFAULT-VALUE}).")
    String failuresTopic;

    @Option(names = "--jdbc-url", description = "PostgreSQL source or sink, e.g. jdbc:postgresql://127.0.0.1:5432/rag.")
    String jdbcUrl;

    @Option(names = "--jdbc-user", description = "PostgreSQL user.")
    String jdbcUser;

    @Option(names = "--jdbc-password-env", defaultValue = "PGPASSWORD",
            description = "Environment variable holding the PostgreSQL password (default: ${DEFAULT-VALUE}).")
    String jdbcPasswordEnv;

    @Option(names = "--source-table", defaultValue = "documents",
            description = "PostgreSQL source table with doc_id, chunk_id, text (default: ${DEFAULT-VALUE}).")
    String sourceTable;

    @Option(names = "--split-column", description = "PostgreSQL source: numeric column for parallel key-range splits "
            + "(omit to read the table as one split).")
    String splitColumn;

    @Option(names = "--splits", defaultValue = "0", description = "PostgreSQL source: number of key ranges (default: 4 per subtask).")
    int splits;

    @Option(names = "--metadata-column", defaultValue = "metadata",
            description = "PostgreSQL source: JSON column passed through as metadata; empty for none (default: ${DEFAULT-VALUE}).")
    String metadataColumn;

    @Option(names = "--target-table", defaultValue = "chunks_compressed",
            description = "PostgreSQL sink table, upserted by (doc_id, chunk_id), created if missing (default: ${DEFAULT-VALUE}).")
    String targetTable;

    @Option(names = "--failures-table", description = "PostgreSQL sink: table of failed rows (default: <target-table>_failures).")
    String failuresTable;

    @Option(names = "--output", description = "JSONL sink: output directory (Flink FileSink part files).")
    String output;

    @Option(names = "--failures", description = "JSONL sink: directory of failed rows.")
    String failures;

    @Option(names = "--model", description = "Shortcut for -Dllmlingua.model.path.")
    String model;

    @Option(names = {"-D"}, description = "An llmlingua.* option or a kafka.* client property.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--config", description = "Properties file with llmlingua.* and kafka.* keys (command line wins).")
    Path configFile;

    @Option(names = {"-p", "--parallelism"}, defaultValue = "-1", description = "Job parallelism (default: the environment's).")
    int parallelism;

    @Option(names = "--progress-interval", defaultValue = "10 s",
            description = "Progress line interval, a Flink duration (10 s, PT10S) (default: ${DEFAULT-VALUE}).")
    Duration progressInterval;

    @Option(names = "--report", description = "Write the final report as JSON to this file.")
    Path report;

    @Option(names = "--run-id", description = "Stored in the PostgreSQL sink's run_id column (default: a random UUID).")
    String runId;

    @Option(names = {"-v", "--verbose"}, description = "Stack traces on errors.")
    boolean verbose;

    static final String NAME = "backfill";

    public static void main(String[] args) {
        boolean cluster = EntryPoint.inCluster();
        if (!cluster) {
            localLogging();
        }
        // No System.exit in a cluster context: on REST or application submission main() runs inside the JobManager.
        EntryPoint.finish(NAME, run(System.err, args), cluster, System::exit);
    }

    /** Parses and runs; returns the exit code (0, 1 a failure, 2 a user's mistake, printed as one line on {@code err}). */
    public static int run(PrintStream err, String... args) {
        return EntryPoint.commandLine(new BackfillJobMain(), NAME, err).execute(args);
    }

    @Override
    public Integer call() throws Exception {
        StreamExecutionEnvironment env = io.flinkllmlingua.jobs.cli.LocalFlink.environment();
        BackfillSettings s = settings(env.getConfiguration());
        io.flinkllmlingua.flink.LlmLinguaConfig config =
                io.flinkllmlingua.jobs.streaming.JobChecks.check(s.llmlingua, !EntryPoint.inCluster());
        if (s.source == BackfillSettings.SourceKind.KAFKA && s.bootstrapServers != null) {
            io.flinkllmlingua.jobs.cli.KafkaPreflight.check(s.bootstrapServers, s.kafkaProperties,
                    java.util.List.of(s.inputTopic), io.flinkllmlingua.jobs.cli.KafkaPreflight.DEFAULT_TIMEOUT,
                    io.flinkllmlingua.jobs.cli.KafkaPreflight.TopicCreation.NONE, "the backfill reads an existing topic");
        }
        if (s.parallelism > 0) {
            env.setParallelism(s.parallelism);
        }
        io.flinkllmlingua.jobs.cli.JobLog.started(NAME, config, "source " + s.source + " -> sink " + s.sink, env);
        BackfillReport r = BackfillJob.run(env, s);
        System.out.println(r.summary());
        System.out.println(r.toJson());
        return 0;
    }

    /**
     * Run from the command line (not from {@code flink run}, where the cluster's logging applies): progress and the
     * report at INFO on standard error, Flink's and Kafka's own logs at ERROR.
     */
    public static void localLogging() {
        if (System.getProperty("log4j2.configurationFile") == null && System.getProperty("log4j.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "io/flinkllmlingua/jobs/cli/log4j2-cli.xml");
            if (System.getProperty("llmlingua.log.level") == null) {
                System.setProperty("llmlingua.log.level", "INFO");
            }
        }
    }

    /** The settings with the cluster configuration of {@code StreamExecutionEnvironment.getExecutionEnvironment()}. */
    BackfillSettings settings() throws IOException {
        return settings(EntryPoint.clusterConfiguration());
    }

    /** The settings; {@code cluster}'s {@code llmlingua.*} keys come under the job's own. */
    public BackfillSettings settings(ReadableConfig cluster) throws IOException {
        BackfillSettings s = new BackfillSettings();
        s.source = source;
        s.sink = sink;
        s.inputPath = input;
        s.bootstrapServers = bootstrapServers;
        s.inputTopic = inputTopic;
        s.kafkaStart = start;
        s.outputTopic = outputTopic;
        s.failuresTopic = failuresTopic;
        s.jdbcUrl = jdbcUrl;
        s.jdbcUser = jdbcUser;
        s.jdbcPassword = jdbcPasswordEnv == null ? null : System.getenv(jdbcPasswordEnv);
        s.sourceTable = sourceTable;
        s.sourceSplitColumn = splitColumn;
        s.sourceSplits = splits;
        s.sourceMetadataColumn = metadataColumn;
        s.targetTable = targetTable;
        s.failuresTable = failuresTable;
        s.outputPath = output;
        s.failuresPath = failures;
        s.parallelism = parallelism;
        s.progressInterval = progressInterval;
        s.reportFile = report;
        if (runId != null) {
            s.runId = runId;
        }
        Properties file = new Properties();
        if (configFile != null) {
            if (!Files.isRegularFile(configFile)) {
                throw new IllegalArgumentException("--config file not found: " + configFile);
            }
            try (InputStream in = Files.newInputStream(configFile)) {
                file.load(in);
            }
        }
        s.llmlingua.putAll(EntryPoint.clusterOptions(cluster));
        LlmLinguaOptions.checkKeys(file.stringPropertyNames(), LlmLinguaOptions.Surface.DATASTREAM, "--config " + configFile);
        for (String k : file.stringPropertyNames()) {
            put(s, k, file.getProperty(k));
        }
        LlmLinguaOptions.checkKeys(overrides.keySet(), LlmLinguaOptions.Surface.DATASTREAM, "-D");
        overrides.forEach((k, v) -> put(s, k, v));
        if (model != null) {
            s.llmlingua.put("llmlingua.model.path", model);
        }
        validate(s);
        return s;
    }

    private static void put(BackfillSettings s, String key, String value) {
        if (key.startsWith("llmlingua.")) {
            s.llmlingua.put(key, value);
        } else if (key.startsWith("kafka.")) {
            s.kafkaProperties.setProperty(key.substring("kafka.".length()), value);
        } else {
            throw new IllegalArgumentException("unknown option " + key + " (expected llmlingua.* or kafka.*)");
        }
    }

    /** Fails early, with the option to set, instead of deep inside the job. */
    static void validate(BackfillSettings s) {
        require(s.llmlingua.containsKey("llmlingua.model.path"), "--model (or -Dllmlingua.model.path) is required");
        switch (s.source) {
            case JSONL:
                require(s.inputPath != null, "--source jsonl needs --input");
                break;
            case KAFKA:
                require(s.bootstrapServers != null, "--source kafka needs --bootstrap-servers");
                break;
            default:
                require(s.jdbcUrl != null, "--source postgres needs --jdbc-url");
        }
        switch (s.sink) {
            case JSONL:
                require(s.outputPath != null && s.failuresPath != null, "--sink jsonl needs --output and --failures");
                require(!s.failuresPath.startsWith(s.outputPath + "/") && !s.failuresPath.equals(s.outputPath),
                        "--failures must not be inside --output (the output is read back to skip up-to-date chunks)");
                break;
            case KAFKA:
                require(s.bootstrapServers != null, "--sink kafka needs --bootstrap-servers");
                break;
            default:
                require(s.jdbcUrl != null, "--sink postgres needs --jdbc-url");
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
