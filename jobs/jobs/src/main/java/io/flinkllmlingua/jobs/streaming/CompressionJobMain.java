package io.flinkllmlingua.jobs.streaming;

import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.flink.LlmLinguaOptions;
import io.flinkllmlingua.jobs.cli.EntryPoint;
import io.flinkllmlingua.jobs.cli.JobLog;
import io.flinkllmlingua.jobs.cli.KafkaPreflight;
import io.flinkllmlingua.jobs.cli.KafkaProgress;
import io.flinkllmlingua.jobs.cli.LocalFlink;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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
 * Entry point of the Kafka ingestion job: streams from an existing Kafka ({@code --bootstrap-servers}, required)
 * until stopped, locally or submitted to a Flink cluster with {@code flink run}. The embedded demo (a local broker,
 * the sample corpus, the MiniLM model) is {@code io.flinkllmlingua.demo.DemoMain}.
 *
 * <p>Operator options, lowest precedence first: their declared defaults, {@code llmlingua.*} keys of the cluster
 * configuration (e.g. a FlinkDeployment's {@code flinkConfiguration}), the {@code --config} file, {@code -D},
 * {@code --model}. Unknown {@code llmlingua.*} keys are refused on each. A user's mistake is one line on stderr and
 * exit code 2 ({@link EntryPoint}).
 */
@Command(name = "compress-job", mixinStandardHelpOptions = true,
        description = "LLMLingua-2 compression of document chunks from Kafka, exactly once.")
public final class CompressionJobMain implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (required here or as job.bootstrap-servers "
            + "in --config).")
    String bootstrapServers;

    @Option(names = "--input-topic", defaultValue = "chunks", description = "Input topic (default: ${DEFAULT-VALUE}).")
    String inputTopic;

    @Option(names = "--output-topic", defaultValue = "chunks-compressed", description = "Output topic (default: ${DEFAULT-VALUE}).")
    String outputTopic;

    @Option(names = "--dead-letter-topic", defaultValue = "chunks-dlq", description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
    String deadLetterTopic;

    @Option(names = "--group-id", defaultValue = "flink-llmlingua", description = "Consumer group (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(names = "--start-from", defaultValue = "COMMITTED",
            description = "Without a checkpoint: EARLIEST, LATEST or COMMITTED (group offsets, else earliest). Default: ${DEFAULT-VALUE}.")
    JobSettings.StartFrom startFrom;

    @Option(names = "--bounded", description = "Stop at the input's latest offsets as of the start.")
    boolean bounded;

    @Option(names = "--checkpoint-interval", defaultValue = "10 s", description = "Checkpoint interval, a Flink duration (10 s, PT10S) (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--transactional-id-prefix", defaultValue = "flink-llmlingua",
            description = "Prefix of the sink's Kafka transactional ids; unique per job on a cluster (default: ${DEFAULT-VALUE}).")
    String transactionalIdPrefix;

    @Option(names = "--transaction-timeout", defaultValue = "15 min",
            description = "Kafka transaction timeout; must exceed checkpoint interval plus recovery time and stay below the "
                    + "broker's transaction.max.timeout.ms (default: ${DEFAULT-VALUE}).")
    Duration transactionTimeout;

    @Option(names = {"-p", "--parallelism"}, defaultValue = "-1", description = "Job parallelism (default: the environment's).")
    int parallelism;

    @Option(names = "--config", description = "Properties file: llmlingua.* options, kafka.* client properties, and job.* "
            + "keys named like the long options (job.input-topic=...). Command-line options win.")
    Path configFile;

    @Option(names = {"-D"}, description = "An llmlingua.* or kafka.* option, e.g. -Dllmlingua.model.path=/models/x.")
    Map<String, String> overrides = new java.util.LinkedHashMap<>();

    @Option(names = "--model", description = "Shortcut for -Dllmlingua.model.path.")
    String model;

    @Option(names = {"-v", "--verbose"}, description = "Stack traces on errors.")
    boolean verbose;

    @Option(names = "--kafka-check-timeout", defaultValue = "30 s", description = "Before submitting: how long to wait "
            + "for the broker to answer and describe the topics; an unreachable broker or a missing topic ends the run "
            + "with one line; 0 skips the check (job.kafka-check-timeout; default: ${DEFAULT-VALUE}).")
    Duration kafkaCheckTimeout;

    @Option(names = "--create-topics", description = "Create missing input, output and dead-letter topics instead of "
            + "refusing to start (job.create-topics).")
    boolean createTopics;

    @Option(names = "--topic-partitions", description = "Partitions of topics that --create-topics creates "
            + "(default: the broker's num.partitions).")
    Integer topicPartitions;

    @Option(names = "--topic-replication-factor", description = "Replication factor of topics that --create-topics "
            + "creates (default: the broker's default.replication.factor).")
    Short topicReplicationFactor;

    @Spec
    CommandSpec spec;

    static final String NAME = "compress-job";

    /**
     * In a plain {@code java} run a user's mistake is one line on stderr and exit code 2; inside a Flink cluster
     * context (REST or web submission, application mode: this method runs inside the JobManager) it never calls
     * {@code System.exit} and throws instead ({@link EntryPoint}).
     */
    public static void main(String[] args) {
        JobLog.configureLocalLogging();
        EntryPoint.finish(NAME, run(System.err, args));
    }

    /** Parses and runs; returns the exit code (0, 1 a failure, 2 a user's mistake, printed as one line on {@code err}). */
    public static int run(PrintStream err, String... args) {
        return EntryPoint.commandLine(new CompressionJobMain(), NAME, err).execute(args);
    }

    @Override
    public Integer call() throws Exception {
        StreamExecutionEnvironment env = LocalFlink.environment();
        JobSettings s = settings(env.getConfiguration());
        if (s.bootstrapServers == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "missing --bootstrap-servers (or "
                    + "job.bootstrap-servers in --config); the embedded demo is jobs/bin/run-embedded.sh "
                    + "(io.flinkllmlingua.demo.DemoMain)");
        }
        LlmLinguaConfig config = JobChecks.check(s.llmlingua, !EntryPoint.inCluster());
        KafkaPreflight.check(s.bootstrapServers, s.kafkaProperties,
                java.util.List.of(s.inputTopic, s.outputTopic, s.deadLetterTopic), s.kafkaCheckTimeout,
                new KafkaPreflight.TopicCreation(s.createTopics, java.util.Optional.ofNullable(topicPartitions),
                        java.util.Optional.ofNullable(topicReplicationFactor)),
                "create the missing topics, or pass --create-topics");
        CompressionJob.build(env, s);
        JobLog.started(NAME, config, s.inputTopic + " -> " + s.outputTopic + " (dead letters: " + s.deadLetterTopic
                + ", Kafka " + s.bootstrapServers + ")", env);
        String jobName = "flink-llmlingua: " + s.inputTopic + " -> " + s.outputTopic;
        if (EntryPoint.inCluster()) {
            env.execute(jobName);
            return 0;
        }
        // A local run: progress as Kafka sees it, once per checkpoint interval (at least every 10 s).
        try (KafkaProgress progress = new KafkaProgress(s.bootstrapServers, s.kafkaProperties, s.groupId, s.inputTopic,
                java.util.List.of(s.outputTopic, s.deadLetterTopic))) {
            JobLog.awaitWithProgress(env.executeAsync(jobName), s.checkpointInterval.compareTo(Duration.ofSeconds(10)) < 0
                    ? Duration.ofSeconds(10) : s.checkpointInterval, progress::line);
        }
        return 0;
    }

    /** The settings with the cluster configuration of {@code StreamExecutionEnvironment.getExecutionEnvironment()}. */
    JobSettings settings() throws IOException {
        return settings(EntryPoint.clusterConfiguration());
    }

    /** The settings; {@code cluster}'s {@code llmlingua.*} keys come under the job's own. */
    public JobSettings settings(ReadableConfig cluster) throws IOException {
        Properties file = new Properties();
        if (configFile != null) {
            if (!Files.isRegularFile(configFile)) {
                throw new IllegalArgumentException("--config file not found: " + configFile);
            }
            try (InputStream in = Files.newInputStream(configFile)) {
                file.load(in);
            }
        }
        JobSettings s = new JobSettings();
        s.bootstrapServers = pick(bootstrapServers, file, "job.bootstrap-servers", null);
        s.inputTopic = pick(inputTopic, file, "job.input-topic", "chunks");
        s.outputTopic = pick(outputTopic, file, "job.output-topic", "chunks-compressed");
        s.deadLetterTopic = pick(deadLetterTopic, file, "job.dead-letter-topic", "chunks-dlq");
        s.groupId = pick(groupId, file, "job.group-id", "flink-llmlingua");
        s.transactionalIdPrefix = pick(transactionalIdPrefix, file, "job.transactional-id-prefix", "flink-llmlingua");
        s.startFrom = startFrom;
        s.bounded = bounded || Boolean.parseBoolean(file.getProperty("job.bounded", "false"));
        s.checkpointInterval = checkpointInterval;
        s.transactionTimeout = transactionTimeout;
        s.parallelism = parallelism;
        s.kafkaCheckTimeout = file.containsKey("job.kafka-check-timeout")
                && kafkaCheckTimeout.equals(KafkaPreflight.DEFAULT_TIMEOUT)
                ? org.apache.flink.util.TimeUtils.parseDuration(file.getProperty("job.kafka-check-timeout"))
                : kafkaCheckTimeout;
        s.createTopics = createTopics || Boolean.parseBoolean(file.getProperty("job.create-topics", "false"));
        s.llmlingua.putAll(EntryPoint.clusterOptions(cluster));
        Map<String, String> fromFile = new LinkedHashMap<>();
        for (String k : file.stringPropertyNames()) {
            fromFile.put(k, file.getProperty(k));
        }
        LlmLinguaOptions.checkKeys(fromFile.keySet(), LlmLinguaOptions.Surface.DATASTREAM, "--config " + configFile);
        fromFile.forEach((k, v) -> put(s, k, v, false));
        LlmLinguaOptions.checkKeys(overrides.keySet(), LlmLinguaOptions.Surface.DATASTREAM, "-D");
        overrides.forEach((k, v) -> put(s, k, v, true));
        if (model != null) {
            s.llmlingua.put(LlmLinguaOptions.MODEL_PATH.key(), model);
        }
        return s;
    }

    private static void put(JobSettings s, String key, String value, boolean strict) {
        if (key.startsWith(LlmLinguaOptions.PREFIX)) {
            s.llmlingua.put(key, value);
        } else if (key.startsWith("kafka.")) {
            s.kafkaProperties.setProperty(key.substring("kafka.".length()), value);
        } else if (strict) {
            throw new IllegalArgumentException("unknown option -D" + key + " (-D takes llmlingua.* options and kafka.* "
                    + "client properties)");
        }
    }

    private static String pick(String cli, Properties file, String key, String fallback) {
        if (cli != null && !cli.equals(fallback)) {
            return cli;
        }
        return file.getProperty(key, cli != null ? cli : fallback);
    }
}
