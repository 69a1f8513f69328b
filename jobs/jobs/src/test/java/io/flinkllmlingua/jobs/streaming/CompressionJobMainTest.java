package io.flinkllmlingua.jobs.streaming;

import io.flinkllmlingua.flink.LlmLinguaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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
        CompressionJobMain main = new CompressionJobMain();
        new CommandLine(main).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return main.settings();
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
