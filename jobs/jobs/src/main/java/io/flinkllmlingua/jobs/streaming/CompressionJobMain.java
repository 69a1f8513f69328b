package io.flinkllmlingua.jobs.streaming;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * Entry point of the Kafka ingestion job: streams from the Kafka of {@code --bootstrap-servers} until stopped
 * (locally, or submitted to a Flink cluster with {@code flink run}). The embedded demo (local broker, sample
 * corpus, demo model) is {@code io.flinkllmlingua.demo.DemoMain}.
 */
@Command(name = "compress-job", mixinStandardHelpOptions = true,
        description = "LLMLingua-2 compression of document chunks from Kafka, exactly once.")
public final class CompressionJobMain implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (required).")
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

    @Option(names = "--checkpoint-interval", defaultValue = "PT10S", description = "ISO-8601 duration (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--transactional-id-prefix", defaultValue = "flink-llmlingua",
            description = "Prefix of the sink's Kafka transactional ids; unique per job on a cluster (default: ${DEFAULT-VALUE}).")
    String transactionalIdPrefix;

    @Option(names = "--transaction-timeout", defaultValue = "PT15M",
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

    /**
     * Never calls {@code System.exit}: on a cluster (REST or web submission, application mode) this method runs
     * inside the JobManager, and exiting would stop the JobManager itself once the job is submitted. A failure is
     * thrown instead (picocli has printed its message), which a plain JVM turns into exit status 1.
     */
    public static void main(String[] args) {
        int code = new CommandLine(new CompressionJobMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        if (code != 0) {
            throw new IllegalStateException("compress-job failed (exit code " + code + ")");
        }
    }

    @Override
    public Integer call() throws Exception {
        JobSettings s = settings();
        if (s.bootstrapServers == null) {
            throw new CommandLine.ParameterException(new CommandLine(this), "Missing --bootstrap-servers (or "
                    + "job.bootstrap-servers in --config); for a local demo with an embedded broker run "
                    + "bash jobs/bin/run-embedded.sh");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        CompressionJob.build(env, s);
        env.execute("flink-llmlingua: " + s.inputTopic + " -> " + s.outputTopic);
        return 0;
    }

    JobSettings settings() throws IOException {
        Properties file = new Properties();
        if (configFile != null) {
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
        for (String k : file.stringPropertyNames()) {
            put(s, k, file.getProperty(k));
        }
        overrides.forEach((k, v) -> put(s, k, v));
        if (model != null) {
            s.llmlingua.put("llmlingua.model.path", model);
        }
        if (s.bootstrapServers != null) {
            bootstrapServers = s.bootstrapServers;
        }
        return s;
    }

    private static void put(JobSettings s, String key, String value) {
        if (key.startsWith("llmlingua.")) {
            s.llmlingua.put(key, value);
        } else if (key.startsWith("kafka.")) {
            s.kafkaProperties.setProperty(key.substring("kafka.".length()), value);
        }
    }

    private static String pick(String cli, Properties file, String key, String fallback) {
        if (cli != null && !cli.equals(fallback)) {
            return cli;
        }
        return file.getProperty(key, cli != null ? cli : fallback);
    }
}
