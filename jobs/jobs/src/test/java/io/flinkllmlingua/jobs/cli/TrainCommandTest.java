package io.flinkllmlingua.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkllmlingua.jobs.cli.CliRunner.Run;
import io.flinkllmlingua.testkit.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.flinkllmlingua.jobs.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code llmlingua train}: trains on word-labelled JSONL over the MiniLM encoder; the result compresses; mistakes exit 2. */
class TrainCommandTest {
    private static final Set<String> FUNCTION_WORDS = Set.of("the", "a", "an", "of", "to", "in", "and", "or", "for",
            "is", "are", "be", "that", "this", "it", "on", "with", "as", "by", "at", "from");

    @TempDir
    static Path tmp;
    static Path encoder;
    static Path data;

    @BeforeAll
    static void encoderAndData() throws Exception {
        encoder = tmp.resolve("encoder");
        Run b = run("", "models", "build-minilm", "--encoder", "--out", encoder.toString());
        assertEquals(0, b.exitCode(), b::toString);
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(TestData.corpus("docs-en.jsonl"))) {
            if (line.isBlank() || lines.size() >= 120) {
                continue;
            }
            for (String sentence : CliRunner.JSON.readTree(line).get("text").asText().split("(?<=[.!?])\\s+")) {
                String[] words = sentence.strip().split("\\s+");
                if (words.length < 6 || words.length > 40 || lines.size() >= 120) {
                    continue;
                }
                List<Integer> labels = new ArrayList<>();
                for (String w : words) {
                    labels.add(FUNCTION_WORDS.contains(w.toLowerCase().replaceAll("\\W", "")) ? 0 : 1);
                }
                lines.add(CliRunner.JSON.writeValueAsString(Map.of("words", List.of(words), "labels", labels)));
            }
        }
        data = Files.write(tmp.resolve("words.jsonl"), lines);
    }

    @Test
    void trainsAModelThatCompresses() throws Exception {
        Path out = tmp.resolve("trained");
        Run t = run("", "train", "--base", encoder.toString(), "--data", data.toString(), "--out", out.toString(),
                "--epochs", "2", "--seed", "3", "--validation-fraction", "0.2");
        assertEquals(0, t.exitCode(), t::toString);
        assertEquals(out.toString(), t.stdout().strip());
        assertTrue(t.stderr().contains("epoch 2/2"), t.stderr());
        assertTrue(t.stderr().contains("tokens/s"), t.stderr());
        JsonNode manifest = CliRunner.JSON.readTree(out.resolve("training-manifest.json").toFile());
        assertEquals(120, manifest.get("counts").get("labelled_texts").asInt());
        assertTrue(manifest.get("validation").get("accuracy").asDouble()
                > manifest.get("validation").get("majority_baseline").asDouble(), manifest.toString());

        Run c = run(CompressCommandTest.T1, "compress", "--model", out.toString(), "-q");
        assertEquals(0, c.exitCode(), c::toString);
        assertFalse(c.lines().get(0).get("compressed_text").asText().isBlank(), c.stdout());

        Run resumed = run("", "train", "--base", encoder.toString(), "--data", data.toString(), "--out",
                out.toString(), "--epochs", "2", "--seed", "3", "--validation-fraction", "0.2", "--resume");
        assertEquals(0, resumed.exitCode(), resumed::toString);
        assertTrue(resumed.stderr().contains("resuming after epoch 2"), resumed.stderr());
    }

    /** MeetingBank-style pairs: aligned into labels; the pair the quality checks refuse is counted and listed. */
    @Test
    void trainsOnPairsAndReportsTheRejectedOne() throws Exception {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(data)) {
            JsonNode words = CliRunner.JSON.readTree(line).get("words");
            JsonNode labels = CliRunner.JSON.readTree(line).get("labels");
            List<String> original = new ArrayList<>();
            List<String> compressed = new ArrayList<>();
            for (int i = 0; i < words.size(); i++) {
                original.add(words.get(i).asText());
                if (labels.get(i).asInt() == 1) {
                    compressed.add(words.get(i).asText());
                }
            }
            lines.add(CliRunner.JSON.writeValueAsString(Map.of("prompt", String.join(" ", original),
                    "compressed_prompt", String.join(" ", compressed))));
        }
        lines.add(CliRunner.JSON.writeValueAsString(Map.of("id", "unrelated", "original",
                "The budget was approved by the council.", "compressed", "Weather sunny tomorrow with light winds")));
        Path pairs = Files.write(tmp.resolve("pairs.jsonl"), lines);
        Path out = tmp.resolve("from-pairs");
        Run t = run("", "train", "--base", encoder.toString(), "--data", pairs.toString(), "--out", out.toString(),
                "--epochs", "1", "--validation-fraction", "0.2");
        assertEquals(0, t.exitCode(), t::toString);
        assertTrue(t.stderr().contains("121 pairs, 1 rejected by the quality checks"), t.stderr());
        assertTrue(t.stderr().contains("rejected unrelated"), t.stderr());
        JsonNode manifest = CliRunner.JSON.readTree(out.resolve("training-manifest.json").toFile());
        assertEquals(1, manifest.get("counts").get("pairs_rejected").asInt());
        assertEquals("unrelated", manifest.get("rejected_pairs").get(0).get("id").asText());
        assertTrue(manifest.get("validation").get("accuracy").asDouble()
                > manifest.get("validation").get("majority_baseline").asDouble(), manifest.toString());
    }

    @Test
    void userMistakesAreOneLineAndExitTwo() throws Exception {
        Path bad = Files.write(tmp.resolve("bad.jsonl"), List.of("{\"words\":[\"a\"],\"labels\":[1]}", "{oops"));
        List<String[]> cases = List.of(
                new String[] {"train", "--data", data.toString(), "--out", tmp.resolve("o1").toString()},
                new String[] {"train", "--base", encoder.toString(), "--data", data.toString(), "--out",
                        tmp.resolve("o2").toString(), "--epochs", "0"},
                new String[] {"train", "--base", encoder.toString(), "--data", data.toString(), "--out",
                        tmp.resolve("o3").toString(), "--validation-fraction", "1.5"},
                new String[] {"train", "--base", encoder.toString(), "--data", data.toString(), "--out",
                        tmp.resolve("o4").toString(), "--learning-rate", "fast"},
                new String[] {"train", "--base", encoder.toString(), "--data", tmp.resolve("missing.jsonl").toString(),
                        "--out", tmp.resolve("o5").toString()},
                new String[] {"train", "--base", encoder.toString(), "--data", bad.toString(), "--out",
                        tmp.resolve("o6").toString()},
                new String[] {"train", "--base", encoder.toString(), "--data", data.toString(), "--out",
                        tmp.resolve("o7").toString(), "--resume"});
        for (String[] args : cases) {
            Run r = run("", args);
            assertEquals(LlmLinguaCli.EXIT_USAGE, r.exitCode(), () -> String.join(" ", args) + "\n" + r);
            assertEquals(1, r.stderr().strip().lines().count(), r::toString);
        }
        Run r = run("", "train", "--base", encoder.toString(), "--data", bad.toString(), "--out",
                tmp.resolve("o8").toString());
        assertTrue(r.stderr().contains("bad.jsonl:2: not JSON"), r.stderr());
    }
}
