package io.flinkllmlingua.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.flinkllmlingua.jobs.cli.CliRunner.Run;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.flinkllmlingua.jobs.cli.CliRunner.jsonl;
import static io.flinkllmlingua.jobs.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code llmlingua compress} end to end, in-process, on a real (tiny) ONNX model and the fixture tokenizer. */
class CompressCommandTest {
    static final String T1 = "Thank you for the budget. We launch alpha and beta in the spring, and you get the muffins."
            + " The delta is about the gamma launch, and it is for you and the team.";
    static final String T2 = "We want the launch to go well. The budget is tight, you know, and we should ask for more"
            + " time. Thank you for the muffins.";
    static final String C1 = "Alpha, beta and gamma are the three stages of the launch.";
    static final String C2 = "The budget for delta is about twice the budget for gamma.";

    @TempDir
    static Path tmp;
    static Path model;
    static String modelArg;
    static Encoding cl100k;

    @BeforeAll
    static void createModel() throws IOException {
        model = TinyTestModel.create(tmp.resolve("tiny-wp"));
        modelArg = "--model=" + model;
        cl100k = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    }

    @Test
    void jsonlGivesOneConsistentLinePerRecordWithIdsPassedThrough() {
        String input = jsonl(
                map("id", "a", "text", T1),
                map("doc_id", "doc-1", "chunk_id", 3, "text", T2),
                map("id", 7, "contexts", List.of(C1, C2)));
        Run r = run(input, "compress", modelArg, "--jsonl", "--rate", "0.5");
        assertEquals(0, r.exitCode(), r::toString);
        List<JsonNode> lines = r.lines();
        assertEquals(3, lines.size(), r::toString);

        assertEquals("a", lines.get(0).get("id").asText());
        assertFalse(lines.get(0).has("doc_id"));
        assertEquals("doc-1", lines.get(1).get("doc_id").asText());
        assertTrue(lines.get(1).get("chunk_id").isInt(), "chunk_id keeps its JSON type");
        assertEquals(3, lines.get(1).get("chunk_id").asInt());
        assertEquals(7, lines.get(2).get("id").asInt());

        List<List<String>> inputs = List.of(List.of(T1), List.of(T2), List.of(C1, C2));
        for (int i = 0; i < 3; i++) {
            assertConsistent(inputs.get(i), lines.get(i));
            assertEquals("original-spans", lines.get(i).get("render_mode").asText(), "the product's default");
            assertFalse(lines.get(i).has("word_labels"));
        }
        assertEquals(2, lines.get(2).get("compressed_list").size(), "both contexts kept (no context filter)");
        assertTrue(r.stderr().contains("3 records, 0 failed"), r.stderr());
    }

    @Test
    void perRecordRateTargetTokenAndForceTokensOverrideTheFlags() {
        String input = jsonl(
                map("id", "flags", "text", T1),
                map("id", "most", "text", T1, "rate", 0.9),
                map("id", "few", "text", T1, "rate", 0.2),
                map("id", "budget", "text", T1, "target_token", 6));
        Run r = run(input, "compress", modelArg, "--jsonl", "--rate", "0.5");
        assertEquals(0, r.exitCode(), r::toString);
        List<JsonNode> lines = r.lines();
        int flags = lines.get(0).get("compressed_tokens").asInt();
        int most = lines.get(1).get("compressed_tokens").asInt();
        int few = lines.get(2).get("compressed_tokens").asInt();
        int budget = lines.get(3).get("compressed_tokens").asInt();
        assertTrue(few < flags && flags < most, "rate 0.2 < 0.5 (flag) < 0.9: " + few + ", " + flags + ", " + most);
        assertTrue(budget < flags, "target_token 6 keeps less than rate 0.5: " + budget + " vs " + flags);
        lines.forEach(l -> assertConsistent(List.of(T1), l));

        // A word the rate-0.2 record dropped is kept once the record forces it.
        Set<String> kept = words(lines.get(2).get("compressed_text").asText());
        String dropped = Arrays.stream(T1.split("[^\\p{L}]+")).filter(w -> w.length() > 3 && !kept.contains(w))
                .findFirst().orElseThrow();
        Run forced = run(jsonl(map("id", "forced", "text", T1, "rate", 0.2, "force_tokens", List.of(dropped))),
                "compress", modelArg, "--jsonl");
        assertEquals(0, forced.exitCode(), forced::toString);
        assertTrue(words(forced.lines().get(0).get("compressed_text").asText()).contains(dropped),
                dropped + " forced: " + forced.stdout());
    }

    @Test
    void badRecordsGiveErrorLinesInPlaceAndExitCode2WhileGoodRecordsAreCompressed() throws IOException {
        List<String> lines = List.of(
                jsonl(map("id", "g1", "text", T1)).strip(),
                "{\"id\": \"broken\", \"text\": ",
                "{\"id\": \"no-text\", \"doc_id\": \"d\"}",
                "{\"id\": \"bad-rate\", \"text\": \"the launch\", \"rate\": 0}",
                "   ",
                jsonl(map("id", "g2", "text", T2)).strip(),
                "[\"not\", \"an\", \"object\"]",
                "{\"id\": \"bad-type\", \"text\": 42}");
        String input = String.join("\n", lines) + "\n";

        Run r = run(input, "compress", modelArg, "--jsonl");
        assertEquals(LlmLinguaCli.EXIT_RECORD_FAILURES, r.exitCode(), r::toString);
        List<JsonNode> out = r.lines();
        assertEquals(7, out.size(), r::toString);
        assertEquals("g1", out.get(0).get("id").asText());
        assertError(out.get(1), 2, lines.get(1), "invalid JSON");
        assertError(out.get(2), 3, lines.get(2), "no 'text'");
        assertEquals("no-text", out.get(2).get("id").asText(), "ids of a parsed record are on its error line");
        assertError(out.get(3), 4, lines.get(3), "rate");
        assertEquals("g2", out.get(4).get("id").asText());
        assertTrue(out.get(4).has("compressed_text"));
        assertError(out.get(5), 7, lines.get(6), "JSON object");
        assertError(out.get(6), 8, lines.get(7), "'text' must be a string");
        assertTrue(r.stderr().contains("7 records, 5 failed"), r.stderr());
        assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r.stderr());

        // --errors FILE separates them; with --concurrency the results are the same and in the same order.
        Path errors = tmp.resolve("errors.jsonl");
        Run split = run(input, "compress", modelArg, "--jsonl", "--errors", errors.toString(), "--concurrency", "3");
        assertEquals(LlmLinguaCli.EXIT_RECORD_FAILURES, split.exitCode(), split::toString);
        List<JsonNode> results = split.lines();
        assertEquals(List.of("g1", "g2"), results.stream().map(n -> n.get("id").asText()).toList());
        assertEquals(withoutTimings(out.get(0)), withoutTimings(results.get(0)));
        List<JsonNode> errorLines = CliRunner.parseLines(Files.readString(errors));
        assertEquals(List.of(2, 3, 4, 7, 8), errorLines.stream().map(n -> n.get("line").asInt()).toList());
    }

    @Test
    void concurrencyKeepsInputOrderAndResults() throws IOException {
        String corpus;
        try (InputStream in = getClass().getResourceAsStream("/io/flinkllmlingua/testkit/corpus/sample-docs.jsonl")) {
            corpus = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> expectedIds = new ArrayList<>();
        for (JsonNode n : CliRunner.parseLines(corpus)) {
            expectedIds.add(n.get("chunk_id").asText());
        }
        Path file = tmp.resolve("corpus.jsonl");
        Files.writeString(file, corpus);

        Run sequential = run("", "compress", modelArg, "--jsonl", "--special-tokens", "count-as-text", file.toString());
        Run concurrent = run("", "compress", modelArg, "--jsonl", "--special-tokens", "count-as-text",
                "--concurrency", "4", "--batch-wait-us", "5000", file.toString());
        assertEquals(0, sequential.exitCode(), sequential::toString);
        assertEquals(0, concurrent.exitCode(), concurrent::toString);
        List<JsonNode> a = sequential.lines();
        List<JsonNode> b = concurrent.lines();
        assertEquals(expectedIds, b.stream().map(n -> n.get("chunk_id").asText()).toList());
        assertEquals(expectedIds.size(), a.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(withoutTimings(a.get(i)), withoutTimings(b.get(i)), "record " + i);
        }
        assertTrue(concurrent.stderr().contains(expectedIds.size() + " records, 0 failed"), concurrent.stderr());
    }

    @Test
    void plainTextFromStdin() {
        Run r = run(T1, "compress", modelArg, "--rate", "0.4");
        assertEquals(0, r.exitCode(), r::toString);
        List<JsonNode> lines = r.lines();
        assertEquals(1, lines.size());
        JsonNode l = lines.get(0);
        assertFalse(l.has("id") || l.has("file") || l.has("line"), l.toString());
        assertConsistent(List.of(T1), l);

        Run dash = run(T1, "compress", modelArg, "--rate", "0.4", "-");
        assertEquals(withoutTimings(l), withoutTimings(dash.lines().get(0)));
    }

    @Test
    void plainFilesAreOneTextEachAndParagraphsCanBeContexts() throws IOException {
        Path a = Files.writeString(tmp.resolve("a.txt"), T1 + "\n");
        String paragraphs = C1 + "\n\n" + C2 + "\n  \n\n" + T2 + "\n";
        Path b = Files.writeString(tmp.resolve("b.txt"), paragraphs);

        Run whole = run("", "compress", modelArg, a.toString(), b.toString());
        assertEquals(0, whole.exitCode(), whole::toString);
        List<JsonNode> lines = whole.lines();
        assertEquals(2, lines.size());
        assertEquals(a.toString(), lines.get(0).get("file").asText());
        assertEquals(b.toString(), lines.get(1).get("file").asText());
        assertConsistent(List.of(T1 + "\n"), lines.get(0));
        assertConsistent(List.of(paragraphs), lines.get(1));
        assertEquals(1, lines.get(1).get("compressed_list").size());

        Run split = run("", "compress", modelArg, "--split-paragraphs", b.toString());
        assertEquals(0, split.exitCode(), split::toString);
        JsonNode l = split.lines().get(0);
        assertEquals(3, l.get("compressed_list").size(), l.toString());
        assertConsistent(List.of(C1, C2, T2), l);
    }

    @Test
    void outputFileWordLabelsOriginalSpansAndEscapedForceToken() throws IOException {
        Path out = tmp.resolve("out.jsonl");
        String text = "Thank you for the budget.\nWe launch alpha and beta.\nThe muffins are for you.";
        Run r = run(text, "compress", modelArg, "--output", out.toString(), "--word-labels",
                "--render-mode", "original-spans", "--force-token", "\\n", "--rate", "0.3");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("", r.stdout());
        List<JsonNode> lines = CliRunner.parseLines(Files.readString(out));
        assertEquals(1, lines.size());
        JsonNode l = lines.get(0);
        assertEquals("original-spans", l.get("render_mode").asText());
        String compressed = l.get("compressed_text").asText();
        for (String token : compressed.split("\\s+")) {
            assertTrue(text.contains(token), "'" + token + "' cut from the input: " + compressed);
        }
        assertEquals(2, compressed.chars().filter(c -> c == '\n').count(), "forced newlines kept: " + compressed);
        JsonNode labels = l.get("word_labels");
        assertEquals(1, labels.size());
        for (JsonNode w : labels.get(0)) {
            assertTrue(w.get(1).asInt() == 0 || w.get(1).asInt() == 1);
            assertTrue(text.contains(w.get(0).asText()), w.toString());
        }
        assertTrue(l.get("labeled_original_prompt").asText().contains("\t\t|\t\t"));
    }

    @Test
    void modelFromEnvironmentAndMissingModelIsAClearUsageError() {
        Run missing = run(T1, Map.of(), "compress");
        assertEquals(LlmLinguaCli.EXIT_USAGE, missing.exitCode(), missing::toString);
        assertEquals("", missing.stdout());
        assertTrue(missing.stderr().contains("--model") && missing.stderr().contains("LLMLINGUA_MODEL"), missing.stderr());
        assertFalse(missing.stderr().contains("\tat "), missing.stderr());

        Run env = run(T1, Map.of(LlmLinguaCli.ENV_MODEL, model.toString()), "compress", "-q");
        assertEquals(0, env.exitCode(), env::toString);
        assertEquals(1, env.lines().size());
        assertEquals("", env.stderr(), "--quiet: no summary");
        assertEquals("tiny-wp", env.lines().get(0).get("model").asText());
    }

    @Test
    void unusableModelAndBadFlagsExitWithOneLineWithoutStackTrace() throws IOException {
        Run absent = run(T1, "compress", "--model", tmp.resolve("nope").toString());
        assertEquals(LlmLinguaCli.EXIT_USAGE, absent.exitCode());
        assertTrue(absent.stderr().contains("model directory not found"), absent.stderr());

        Path noOnnx = Files.createDirectories(tmp.resolve("no-onnx"));
        Files.copy(model.resolve("tokenizer.json"), noOnnx.resolve("tokenizer.json"));
        Run broken = run(T1, "compress", "--model", noOnnx.toString());
        assertEquals(LlmLinguaCli.EXIT_ERROR, broken.exitCode());
        assertTrue(broken.stderr().contains("engine error") && broken.stderr().contains("model.onnx"), broken.stderr());
        assertFalse(broken.stderr().contains("\tat "), broken.stderr());
        Run verbose = run(T1, "compress", "--verbose", "--model", noOnnx.toString());
        assertEquals(LlmLinguaCli.EXIT_ERROR, verbose.exitCode());
        assertTrue(verbose.stderr().contains("\tat "), "--verbose prints the stack trace: " + verbose.stderr());

        Run badEnum = run(T1, "compress", modelArg, "--token-to-word", "median");
        assertEquals(LlmLinguaCli.EXIT_USAGE, badEnum.exitCode());
        assertTrue(badEnum.stderr().contains("mean|first"), badEnum.stderr());
        Run badRate = run(T1, "compress", modelArg, "--rate", "-1");
        assertEquals(LlmLinguaCli.EXIT_USAGE, badRate.exitCode());
        assertTrue(badRate.stderr().contains("rate must be >= 0"), badRate.stderr());
        Run noFile = run("", "compress", modelArg, tmp.resolve("missing.txt").toString());
        assertEquals(LlmLinguaCli.EXIT_USAGE, noFile.exitCode());
        assertTrue(noFile.stderr().contains("input file not found"), noFile.stderr());
        Run unwritable = run(T1, "compress", modelArg, "--output", tmp.resolve("no-dir").resolve("out.jsonl").toString());
        assertEquals(LlmLinguaCli.EXIT_USAGE, unwritable.exitCode());
        assertTrue(unwritable.stderr().contains("cannot write --output file"), unwritable.stderr());
        Run both = run("", "compress", modelArg, "--jsonl", "--split-paragraphs");
        assertEquals(LlmLinguaCli.EXIT_USAGE, both.exitCode());
        Run noCommand = run("");
        assertEquals(LlmLinguaCli.EXIT_USAGE, noCommand.exitCode());
    }

    @Test
    void chunkRecordsAreWrittenAsThePipelinesRecords() throws Exception {
        String input = String.join("\n",
                "{\"doc_id\": \"d\", \"chunk_id\": \"d#1\", \"text\": \"" + T1 + "\", \"metadata\": {\"lang\": \"en\"}}",
                "{\"doc_id\": \"d\", \"chunk_id\": \"d#2\", \"text\": \"  \"}",
                "{\"doc_id\": \"d\", \"chunk_id\": \"d#3\"}",
                "{\"doc_id\": \"d\", \"chunk_id\": ",
                "{\"doc_id\": \"d\", \"chunk_id\": \"d#5\", \"text\": \"" + T2 + "\", \"rate\": 2}") + "\n";
        Run r = run(input, "compress", modelArg, "--jsonl", "--chunks", "--rate", "0.5");
        assertEquals(LlmLinguaCli.EXIT_RECORD_FAILURES, r.exitCode(), r.stderr());
        List<JsonNode> lines = CliRunner.parseLines(r.stdout());
        assertEquals(5, lines.size(), r.stdout());
        JsonNode c = lines.get(0);
        assertEquals("d#1", c.get("chunk_id").asText());
        assertEquals(cl100k.countTokens(T1), c.get("original_tokens").asInt());
        assertEquals((double) c.get("compressed_tokens").asInt() / c.get("original_tokens").asInt(),
                c.get("kept_fraction").asDouble(), 1e-9);
        assertEquals(64, c.get("content_hash").asText().length());
        assertTrue(c.get("metadata").isObject());
        assertFalse(c.has("timings_ms") || c.has("rate") || c.has("rate_percent"), "no extras without --details");
        JsonNode empty = lines.get(1);
        assertEquals("  ", empty.get("compressed_text").asText(), "empty text passed through");
        assertEquals(1.0, empty.get("kept_fraction").asDouble());
        assertEquals(1.0, empty.get("ratio").asDouble());
        assertEquals("MissingField", lines.get(2).path("error").path("class").asText());
        assertEquals("d#3", lines.get(2).path("chunk_id").asText());
        assertEquals("MalformedJson", lines.get(3).path("error").path("class").asText());
        assertEquals(4, lines.get(3).path("source").path("offset").asInt());
        assertEquals("InvalidOptions", lines.get(4).path("error").path("class").asText());

        Run detailed = run(input, "compress", modelArg, "--jsonl", "--chunks", "--details", "--rate", "0.5");
        JsonNode d = CliRunner.parseLines(detailed.stdout()).get(0);
        assertEquals(c.get("compressed_text"), d.get("compressed_text"));
        assertTrue(d.get("timings_ms").isObject() && d.get("rate_percent").isNumber(), d.toString());
    }

    /** The metadata of a result line agrees with the input and with itself. */
    static void assertConsistent(List<String> contexts, JsonNode l) {
        int original = contexts.stream().mapToInt(c -> cl100k.countTokens(c)).sum();
        assertEquals(original, l.get("original_tokens").asInt(), "original_tokens is the cl100k count: " + l);
        List<String> list = new ArrayList<>();
        l.get("compressed_list").forEach(n -> list.add(n.asText()));
        assertEquals(String.join("\n\n", list), l.get("compressed_text").asText());
        int compressed = list.stream().mapToInt(c -> cl100k.countTokens(c)).sum();
        assertEquals(compressed, l.get("compressed_tokens").asInt(), l.toString());
        assertTrue(compressed < original, "something was dropped: " + l);
        double ratio = compressed == 0 ? 1.0 : (double) original / compressed;
        assertEquals(ratio, l.get("ratio").asDouble(), 1e-9);
        assertTrue(l.get("ratio").isNumber() && l.get("rate_percent").isNumber());
        assertEquals(100.0 / ratio, l.get("rate_percent").asDouble(), 1e-9);
        assertFalse(l.has("rate"), "no ambiguous rate field");
        assertEquals((double) compressed / original, l.get("kept_fraction").asDouble(), 1e-9);
        String ratioText = l.get("ratio_text").asText();
        assertTrue(ratioText.endsWith("x") && Math.abs(Double.parseDouble(ratioText.replace("x", "")) - ratio) <= 0.05 + 1e-9,
                "ratio_text is the ratio to one decimal: " + ratioText);
        String rateText = l.get("rate_text").asText();
        assertTrue(rateText.endsWith("%") && Math.abs(Double.parseDouble(rateText.replace("%", "")) - 100 / ratio) <= 0.05 + 1e-9,
                "rate_text is the rate to one decimal: " + rateText);
        assertTrue(l.get("saving").asText().contains("Saving"));
        assertEquals("tiny-wp", l.get("model").asText());
        assertTrue(l.get("chunks").asInt() >= contexts.size());
        for (String f : List.of("preprocess", "inference", "selection", "total")) {
            assertTrue(l.get("timings_ms").get(f).asDouble() >= 0, f);
        }
        Set<String> inputWords = new HashSet<>();
        contexts.forEach(c -> inputWords.addAll(words(c)));
        for (String w : words(l.get("compressed_text").asText())) {
            assertTrue(inputWords.contains(w), "'" + w + "' is an input word: " + l.get("compressed_text"));
        }
    }

    static void assertError(JsonNode line, int lineNo, String input, String messagePart) {
        assertTrue(line.get("error").asText().contains(messagePart), line.toString());
        assertEquals(lineNo, line.get("line").asInt(), line.toString());
        assertEquals(input, line.get("input").asText());
        assertFalse(line.has("compressed_text"));
    }

    static Set<String> words(String text) {
        Set<String> out = new HashSet<>();
        for (String w : text.split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    static JsonNode withoutTimings(JsonNode n) {
        ObjectNode copy = n.deepCopy();
        copy.remove("timings_ms");
        return copy;
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
