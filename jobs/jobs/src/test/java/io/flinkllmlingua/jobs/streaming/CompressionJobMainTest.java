package io.flinkllmlingua.jobs.streaming;

import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.jobs.cli.EntryPoint;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Job settings from the config file, -D options and command-line options, in that order of precedence. */
class CompressionJobMainTest {

    private static JobSettings parse(String... args) throws Exception {
        return parse(new Configuration(), args);
    }

    private static JobSettings parse(Configuration cluster, String... args) throws Exception {
        CompressionJobMain main = new CompressionJobMain();
        EntryPoint.commandLine(main, "compress-job", System.err).parseArgs(args);
        return main.settings(cluster);
    }

    @Test
    void theClusterConfigurationIsHonouredAndTheJobsOwnSettingsWin(@TempDir Path dir) throws Exception {
        // what a FlinkDeployment's flinkConfiguration becomes: the configuration of the job's environment
        Configuration flinkConfiguration = new Configuration();
        flinkConfiguration.setString("llmlingua.rate", "0.2");
        flinkConfiguration.setString("llmlingua.target-token", "50");
        flinkConfiguration.setString("llmlingua.batch.max-wait", "7 ms");
        flinkConfiguration.setString("llmlingua.model.path", "/from/cluster");
        ReadableConfig cluster = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration).getConfiguration();
        Path file = dir.resolve("job.properties");
        Files.writeString(file, "llmlingua.batch.max-wait=9 ms\nllmlingua.threads=3\n");

        JobSettings s = parse((Configuration) cluster, "--config", file.toString(), "-Dllmlingua.rate=0.7");
        LlmLinguaConfig c = LlmLinguaConfig.fromMap(s.llmlingua);
        assertEquals(0.7, c.defaults().rate(), "-D wins over the cluster");
        assertEquals(50, c.defaults().targetToken(), "the cluster's option is honoured");
        assertEquals(Duration.ofMillis(9), c.engine().maxBatchWait(), "the --config file wins over the cluster");
        assertEquals(3, c.engine().intraOpThreads());
        assertEquals("/from/cluster", c.engine().modelDir().toString());
        assertEquals("/from/cli", parse((Configuration) cluster, "--model", "/from/cli").llmlingua
                .get("llmlingua.model.path"), "--model wins");

        Configuration typo = new Configuration();
        typo.setString("llmlingua.rtae", "3");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(typo));
        assertEquals("unknown option 'llmlingua.rtae' (cluster configuration); did you mean 'llmlingua.rate'?",
                e.getMessage());
    }

    @Test
    void shippedExampleConfigParses() throws Exception {
        JobSettings s = parse("--config", "../../deploy/local/job.properties");
        assertEquals("127.0.0.1:9092", s.bootstrapServers);
        assertEquals("chunks-compressed", s.outputTopic);
        assertEquals("flink-llmlingua-rag-ingest", s.transactionalIdPrefix);
        LlmLinguaConfig config = LlmLinguaConfig.fromMap(s.llmlingua);
        assertEquals(0.33, config.defaults().rate());
        assertEquals(List.of("\n", ".", "!", "?"), config.defaults().forceTokens());
        assertEquals("microsoft/llmlingua-2-xlm-roberta-large-meetingbank", config.modelId());
    }

    @Test
    void commandLineWinsOverTheFileAndKafkaPropertiesAreSeparated(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(file, String.join("\n",
                "job.bootstrap-servers=file:9092", "job.input-topic=file-in", "job.bounded=true",
                "llmlingua.model.path=/from/file", "llmlingua.rate=0.2", "kafka.security.protocol=SSL", "other=ignored"));
        JobSettings s = parse("--config", file.toString(), "--input-topic", "cli-in", "-Dllmlingua.rate=0.7",
                "--model", "/from/cli", "--checkpoint-interval", "PT3S", "--start-from", "earliest");
        assertEquals("file:9092", s.bootstrapServers);
        assertEquals("cli-in", s.inputTopic);
        assertTrue(s.bounded);
        assertEquals("0.7", s.llmlingua.get("llmlingua.rate"));
        assertEquals("/from/cli", s.llmlingua.get("llmlingua.model.path"));
        assertEquals("SSL", s.kafkaProperties.getProperty("security.protocol"));
        assertNull(s.kafkaProperties.getProperty("other"));
        assertEquals(Duration.ofSeconds(3), s.checkpointInterval);
        assertEquals(JobSettings.StartFrom.EARLIEST, s.startFrom);
    }

    @Test
    void withoutAModelPathTheOperatorConfigIsRefusedClearly() throws Exception {
        JobSettings s = parse("--bootstrap-servers", "x:9092");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LlmLinguaConfig.fromMap(s.llmlingua));
        assertTrue(e.getMessage().contains("llmlingua.model.path"), e.getMessage());
    }

    @Test
    void theLocalJobKeepsFileCheckpointsPerGroupAndRestartsABoundedNumberOfTimes() throws Exception {
        JobSettings s = parse("--bootstrap-servers", "x:9092", "--group-id", "rag/ingest");
        assertEquals(JobRecovery.localCheckpointDir("rag/ingest"), s.checkpointDir);
        assertTrue(s.checkpointDir.startsWith("file:/") && s.checkpointDir.contains("/flink-llmlingua-state/rag_ingest/checkpoints"),
                s.checkpointDir);
        assertEquals(JobRecovery.DEFAULT_RETAINED_CHECKPOINTS, s.retainedCheckpoints);
        assertEquals(JobRecovery.DEFAULT_RESTART_ATTEMPTS, s.restartAttempts);
        assertEquals(Duration.ofSeconds(1), s.restartDelay);
        assertNull(s.restoreFrom);

        JobSettings flags = parse("--checkpoint-dir", "s3://bucket/ckpt", "--retained-checkpoints", "5",
                "--restart-attempts", "0", "--restart-delay", "250 ms", "--from-savepoint", "s3://bucket/sp-1");
        assertEquals("s3://bucket/ckpt", flags.checkpointDir);
        assertEquals(5, flags.retainedCheckpoints);
        assertEquals(0, flags.restartAttempts);
        assertEquals(Duration.ofMillis(250), flags.restartDelay);
        assertEquals("s3://bucket/sp-1", flags.restoreFrom);
        assertTrue(!flags.restoreClaimed, "a savepoint stays the user's");
    }

    @Test
    void jobKeysInTheConfigFileSetRecoveryAndTheClustersRestartStrategyIsKept(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(file, "job.checkpoint-dir=" + dir.resolve("ckpt") + "\njob.restart-attempts=4\njob.restart-delay=2 s\n"
                + "job.retained-checkpoints=2\n");
        JobSettings s = parse("--config", file.toString());
        assertEquals(dir.resolve("ckpt").toString(), s.checkpointDir);
        assertEquals(4, s.restartAttempts);
        assertEquals(Duration.ofSeconds(2), s.restartDelay);
        assertEquals(2, s.retainedCheckpoints);

        Configuration cluster = new Configuration();
        cluster.setString("restart-strategy.type", "fixed-delay");
        assertNull(parse(cluster).restartAttempts, "the cluster's own restart strategy is left alone");
        assertEquals(3, parse(cluster, "--restart-attempts", "3").restartAttempts, "unless the job sets one");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--retained-checkpoints", "0"));
        assertEquals("--retained-checkpoints must be a whole number >= 1, not '0'", e.getMessage());
    }

    @Test
    void resumeRestoresTheNewestRetainedCheckpointAndRefusesAnEmptyDirectoryWithOneLine(@TempDir Path dir) throws Exception {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = CompressionJobMain.run(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8),
                "--bootstrap-servers", "127.0.0.1:9", "--checkpoint-dir", dir.toString(), "--resume");
        assertEquals(2, code);
        assertEquals("compress-job: --resume: no complete checkpoint (chk-N/_metadata) under " + dir
                + "; run without --resume to start from --start-from", err.toString(java.nio.charset.StandardCharsets.UTF_8).strip());

        Path chk = Files.createDirectories(dir.resolve("0123456789abcdef0123456789abcdef/chk-7"));
        Files.writeString(chk.resolve("_metadata"), "metadata");
        JobSettings s = parse("--checkpoint-dir", dir.toString(), "--resume");
        assertTrue(s.restoreFrom.replaceAll("/$", "").endsWith("0123456789abcdef0123456789abcdef/chk-7"), s.restoreFrom);
        assertTrue(s.restoreClaimed, "the resumed job owns the checkpoint");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("--checkpoint-dir", dir.toString(), "--resume", "--from-savepoint", "/sp"));
        assertEquals("--resume and --from-savepoint exclude each other", e.getMessage());
    }

    @Test
    void whenTheRestartsAreUsedUpTheMainExitsWithOneLineNamingTheLastFailure(@TempDir Path dir) throws Exception {
        Path model = java.nio.file.Files.createDirectories(dir.resolve("model"));
        io.flinkllmlingua.models.TinyModelGenerator.generateTiny(model, io.flinkllmlingua.models.GeneratedFamily.WORDPIECE);
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        // No broker: the source cannot list its partitions, on every attempt.
        int code = CompressionJobMain.run(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8),
                "--bootstrap-servers", "127.0.0.1:" + closedPort, "--model", model.toString(),
                "--checkpoint-dir", dir.resolve("checkpoints").toString(), "--restart-attempts", "1", "--restart-delay", "10 ms",
                "--kafka-check-timeout", "0 s", // the pre-submission check would end it before any restart
                "-Dkafka.default.api.timeout.ms=1000", "-Dkafka.request.timeout.ms=500");
        String line = err.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        assertEquals(1, code, line);
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.startsWith("compress-job: error: job 'flink-llmlingua: chunks -> chunks-compressed' failed for good "
                + "after 1 restart attempt(s) (--restart-attempts); last failure: "), line);
        assertTrue(line.contains("org.apache.kafka.common.errors.TimeoutException"), line);
    }
}
