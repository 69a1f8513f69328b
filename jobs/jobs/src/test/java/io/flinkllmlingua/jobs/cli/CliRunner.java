package io.flinkllmlingua.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the CLI in-process with captured standard streams and a given environment. */
final class CliRunner {
    static final ObjectMapper JSON = new ObjectMapper();

    /** What one run produced. */
    record Run(int exitCode, String stdout, String stderr) {
        /** Standard output as JSON lines. */
        List<JsonNode> lines() {
            return parseLines(stdout);
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private CliRunner() {}

    static Run run(String stdin, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code = new LlmLinguaCli(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), outStream,
                errStream, env).execute(args);
        outStream.flush();
        errStream.flush();
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run run(String stdin, String... args) {
        return run(stdin, Map.of(), args);
    }

    static List<JsonNode> parseLines(String text) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            try {
                out.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new UncheckedIOException("not a JSON line: " + line, e);
            }
        }
        return out;
    }

    static String jsonl(Map<?, ?>... records) {
        StringBuilder sb = new StringBuilder();
        for (Map<?, ?> r : records) {
            try {
                sb.append(JSON.writeValueAsString(r)).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sb.toString();
    }
}
