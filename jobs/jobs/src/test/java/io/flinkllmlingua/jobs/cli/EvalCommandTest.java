package io.flinkllmlingua.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkllmlingua.jobs.cli.CliRunner.Run;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.flinkllmlingua.jobs.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code llmlingua eval} in-process on the MiniLM demo model (built here) and a generated model. */
class EvalCommandTest {
    @TempDir
    static Path tmp;
    static Path minilm;

    @BeforeAll
    static void buildModel() {
        minilm = tmp.resolve("minilm");
        Run b = run("", "models", "build-minilm", "--out", minilm.toString());
        assertEquals(0, b.exitCode(), b::toString);
    }

    @Test
    void goldenSetOnTheDemoModelAsMarkdownAndJson() throws Exception {
        Run md = run("", "eval", "--model", minilm.toString());
        assertEquals(0, md.exitCode(), md::toString);
        System.out.println("llmlingua eval --model <minilm>:\n" + md.stdout());
        assertTrue(md.stdout().contains("| en | 3 | 785 | 263 |"), md::toString);
        assertTrue(md.stdout().contains("| zh | 1 |"), md::toString);

        Run json = run("", Map.of(LlmLinguaCli.ENV_MODEL, minilm.toString()), "eval", "--format", "json",
                "--language", "en");
        assertEquals(0, json.exitCode(), json::toString);
        JsonNode report = CliRunner.JSON.readTree(json.stdout());
        assertEquals(1, report.get("languages").size());
        JsonNode en = report.get("languages").get(0);
        assertEquals("en", en.get("language").asText());
        double f1 = en.get("micro").get("model").get("f1").asDouble();
        assertTrue(f1 >= 0 && f1 <= 1, json::toString);
        assertEquals(263, en.get("micro").get("model").get("predicted").asInt());
        assertTrue(en.get("micro").has("random") && en.get("micro").has("stopword"), json::toString);
    }

    @Test
    void pairsFile() throws Exception {
        Path pairs = tmp.resolve("pairs.jsonl");
        Files.writeString(pairs, CliRunner.jsonl(
                Map.of("prompt", "The quarterly report shows revenue grew by 12 percent in March.",
                        "compressed_prompt", "quarterly report revenue grew 12 percent March.", "language", "en",
                        "id", "p1"),
                Map.of("original", "Please send the signed contract to Alice before Friday.",
                        "compressed", "send signed contract Alice Friday.")));
        Run r = run("", "eval", "--model", minilm.toString(), "--references", pairs.toString(), "--format", "json");
        assertEquals(0, r.exitCode(), r::toString);
        JsonNode report = CliRunner.JSON.readTree(r.stdout());
        assertEquals("p1", report.get("texts").get(0).get("id").asText());
        assertEquals(7, report.get("texts").get(0).get("kept").asInt());
        assertEquals("und", report.get("texts").get(1).get("language").asText());
        assertEquals(5, report.get("texts").get(1).get("kept").asInt());
    }

    @Test
    void userMistakesAreOneLineAndExitTwo() throws Exception {
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt\": \"a b c\", \"compressed_prompt\": \"a\"}\n{\"prompt\": 3}\n");
        String[][] cases = {
                {"eval"},
                {"eval", "--model", tmp.resolve("nope").toString()},
                {"eval", "--model", minilm.toString(), "--format", "xml"},
                {"eval", "--model", minilm.toString(), "--references", tmp.resolve("none.jsonl").toString()},
                {"eval", "--model", minilm.toString(), "--references", bad.toString()},
                {"eval", "--model", minilm.toString(), "--language", "fr"},
                {"eval", "--model", minilm.toString(), "--bogus"},
                {"eval", "--model", tmp.toString()},
        };
        for (String[] args : cases) {
            Run r = run("", args);
            assertEquals(LlmLinguaCli.EXIT_USAGE, r.exitCode(), () -> String.join(" ", args) + "\n" + r);
            assertEquals(1, r.stderr().strip().lines().count(), r::toString);
            assertTrue(r.stderr().startsWith("llmlingua: "), r::toString);
        }
        Run line = run("", "eval", "--model", minilm.toString(), "--references", bad.toString());
        assertTrue(line.stderr().contains("bad.jsonl:2"), line::toString);
    }
}
