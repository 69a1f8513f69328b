package io.flinkllmlingua.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged {@code -cli.jar} as a user runs it ({@code java -jar}, its own JVM, only what the jar holds): the
 * in-process CLI tests run on the full test classpath, so a class the jar leaves out (Flink is not in it) shows
 * only here.
 */
class CliJarIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int code, String out, String err) {}

    private static Run run(Path dir, String stdin, String... args) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("cli.jar", "target/flink-llmlingua-jobs-0.1.0-SNAPSHOT-cli.jar"));
        assertTrue(Files.isRegularFile(jar), "no CLI jar " + jar + " (mvn package)");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("out-" + System.nanoTime());
        Path err = dir.resolve("err-" + System.nanoTime());
        Path in = dir.resolve("in-" + System.nanoTime());
        Files.writeString(in, stdin, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(cmd).redirectInput(in.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "CLI did not finish: " + cmd);
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void compressesChunkRecordsFromThePackagedJar(@TempDir Path dir) throws Exception {
        Run gen = run(dir, "", "models", "generate", "--family", "wordpiece", "--out", dir.resolve("model").toString());
        assertEquals(0, gen.code(), gen.err());
        String input = "{\"doc_id\":\"d\",\"chunk_id\":\"d#0\",\"text\":\"Flink runs the job. Kafka keeps the records.\","
                + "\"metadata\":{\"lang\":\"en\"}}\n"
                + "{\"doc_id\":\"d\",\"chunk_id\":\"d#1\",\"text\":\"\"}\n";
        Run r = run(dir, input, "compress", "--model", dir.resolve("model").toString(), "--jsonl", "--chunks", "-q");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(2, lines.length, r.out());
        JsonNode first = JSON.readTree(lines[0]);
        assertEquals("d#0", first.get("chunk_id").asText());
        assertTrue(first.get("original_tokens").asInt() > first.get("compressed_tokens").asInt(), lines[0]);
        assertEquals("en", first.get("metadata").get("lang").asText(), "metadata is an object");
        JsonNode empty = JSON.readTree(lines[1]);
        assertEquals(1.0, empty.get("kept_fraction").asDouble(), "empty text passed through: " + lines[1]);
    }

    @Test
    void aUserMistakeIsOneLineAndExitCode2(@TempDir Path dir) throws Exception {
        Run r = run(dir, "", "compress", "--model", dir.resolve("no-such-model").toString(), "--rate", "0.5");
        assertEquals(2, r.code(), r.out() + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertTrue(r.err().contains("no-such-model"), r.err());
    }
}
