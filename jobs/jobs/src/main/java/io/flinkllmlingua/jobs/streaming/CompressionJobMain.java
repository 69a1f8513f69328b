package io.flinkllmlingua.jobs.streaming;

import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.flink.LlmLinguaOptions;
import io.flinkllmlingua.jobs.cli.EntryPoint;
import io.flinkllmlingua.jobs.cli.JobLog;
import io.flinkllmlingua.jobs.cli.KafkaPreflight;
import io.flinkllmlingua.jobs.cli.KafkaProgress;
import io.flinkllmlingua.jobs.cli.LocalFlink;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.RestartStrategyOptions;
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

    @Option(names = "--checkpoint-dir", description = "Checkpoint storage: a directory path or URI (file:///..., s3://...); "
            + "checkpoints there are kept when the job is cancelled or fails. Default: locally ./"
            + JobRecovery.LOCAL_STATE_DIR + "/<group-id>/checkpoints; on a cluster, its own execution.checkpointing.dir.")
    String checkpointDir;

    @Option(names = "--retained-checkpoints", description = "Completed checkpoints kept (execution.checkpointing.num-retained) "
            + "(default: " + JobRecovery.DEFAULT_RETAINED_CHECKPOINTS + " where the job sets the checkpoint directory, else the cluster's).")
    Integer retainedCheckpoints;

    @Option(names = {"--resume", "--resume-from-latest"}, description = "Restore from the newest complete checkpoint "
            + "(chk-N/_metadata) in the checkpoint directory; none there is an error (exit 2). On a cluster needs --checkpoint-dir.")
    boolean resume;

    @Option(names = "--from-savepoint", description = "Restore from this savepoint or retained checkpoint directory.")
    String fromSavepoint;

    @Option(names = "--restart-attempts", description = "Restarts in a row before the job fails for good; the delay grows "
            + "from --restart-delay up to 1 min, and the count starts again after 1 h without failure (default: "
            + JobRecovery.DEFAULT_RESTART_ATTEMPTS + "; on a cluster that configures restart-strategy.type, its own).")
    Integer restartAttempts;

    @Option(names = "--restart-delay", description = "Delay before the first restart, a Flink duration (default: "
            + JobRecovery.DEFAULT_RESTART_DELAY + ").")
    Duration restartDelay;

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
        KafkaPreflight.smallestMessageLimit(s.bootstrapServers, s.kafkaProperties,
                java.util.List.of(s.outputTopic, s.deadLetterTopic), s.kafkaCheckTimeout)
                .ifPresent(limit -> s.topicMessageLimit = limit);
        CompressionJob.build(env, s);
        JobLog.started(NAME, config, s.inputTopic + " -> " + s.outputTopic + " (dead letters: " + s.deadLetterTopic
                + ", Kafka " + s.bootstrapServers + ")", env);
        String jobName = "flink-llmlingua: " + s.inputTopic + " -> " + s.outputTopic;
        if (EntryPoint.inCluster()) {
            JobRecovery.execute(env, s, jobName);
            return 0;
        }
        // A local run: progress as Kafka sees it, once per checkpoint interval (at least every 10 s).
        try (KafkaProgress progress = new KafkaProgress(s.bootstrapServers, s.kafkaProperties, s.groupId, s.inputTopic,
                java.util.List.of(s.outputTopic, s.deadLetterTopic))) {
            Duration every = s.checkpointInterval.compareTo(Duration.ofSeconds(10)) < 0 ? Duration.ofSeconds(10)
                    : s.checkpointInterval;
            JobRecovery.execute(s, jobName, () -> {
                JobLog.awaitWithProgress(env.executeAsync(jobName), every, progress::line);
                return null;
            });
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
        recovery(s, file, cluster);
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

    /** Checkpoint storage, restore path and restart strategy: command line, then job.* keys, then the defaults. */
    private void recovery(JobSettings s, Properties file, ReadableConfig cluster) throws IOException {
        boolean local = !EntryPoint.inCluster();
        String dir = pick(checkpointDir, file, "job.checkpoint-dir", null);
        if (dir == null && local) {
            dir = JobRecovery.localCheckpointDir(s.groupId);
        }
        s.checkpointDir = dir;
        String retained = pick(text(retainedCheckpoints), file, "job.retained-checkpoints", null);
        if (retained != null) {
            s.retainedCheckpoints = atLeast("--retained-checkpoints", retained, 1);
        } else if (dir != null) {
            s.retainedCheckpoints = JobRecovery.DEFAULT_RETAINED_CHECKPOINTS;
        } // else (a cluster without --checkpoint-dir): the cluster's own; a ternary here unboxed null

        String attempts = pick(text(restartAttempts), file, "job.restart-attempts", null);
        if (attempts != null) {
            s.restartAttempts = atLeast("--restart-attempts", attempts, 0);
        } else if (cluster.getOptional(RestartStrategyOptions.RESTART_STRATEGY).isEmpty()) {
            s.restartAttempts = JobRecovery.DEFAULT_RESTART_ATTEMPTS;
        }
        if (restartDelay != null) {
            s.restartDelay = restartDelay;
        } else if (file.getProperty("job.restart-delay") != null) {
            try {
                s.restartDelay = EntryPoint.DURATION.convert(file.getProperty("job.restart-delay"));
            } catch (Exception e) {
                throw new IllegalArgumentException("job.restart-delay: " + e.getMessage());
            }
        }

        boolean latest = resume || Boolean.parseBoolean(file.getProperty("job.resume", "false"));
        String savepoint = pick(fromSavepoint, file, "job.from-savepoint", null);
        if (latest && savepoint != null) {
            throw new IllegalArgumentException("--resume and --from-savepoint exclude each other");
        }
        if (latest) {
            if (dir == null) {
                throw new IllegalArgumentException("--resume on a cluster needs --checkpoint-dir (this job's own: the "
                        + "cluster's execution.checkpointing.dir holds the checkpoints of every job)");
            }
            String where = dir;
            s.restoreFrom = JobRecovery.latestCheckpoint(dir).orElseThrow(() -> new IllegalArgumentException(
                    "--resume: no complete checkpoint (chk-N/_metadata) under " + where
                            + "; run without --resume to start from --start-from"));
            s.restoreClaimed = true;
        } else {
            s.restoreFrom = savepoint;
        }
    }

    private static String text(Integer value) {
        return value == null ? null : value.toString();
    }

    private static int atLeast(String option, String value, int min) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException(option + " must be a whole number >= " + min + ", not '" + value + "'");
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
