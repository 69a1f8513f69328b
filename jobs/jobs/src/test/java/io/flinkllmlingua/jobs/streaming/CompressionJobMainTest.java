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
}
