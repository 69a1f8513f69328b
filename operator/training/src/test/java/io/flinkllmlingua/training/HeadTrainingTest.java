package io.flinkllmlingua.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.PromptCompressor;
import io.flinkllmlingua.models.minilm.MiniLmModelBuilder;
import io.flinkllmlingua.testkit.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training over the real MiniLM encoder on real documentation sentences labelled by a learnable rule (drop the
 * function words of a small list, keep every other unit): held-out accuracy well above the majority baseline, the
 * same bytes for the same seed, a resumed run equal to an uninterrupted one, and a model directory the engine
 * compresses with.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HeadTrainingTest {
    static final Set<String> FUNCTION_WORDS = Set.of("the", "a", "an", "of", "to", "in", "and", "or", "for", "is",
            "are", "be", "that", "this", "it", "on", "with", "as", "by", "at", "from", "not", "can", "you", "your",
            "which", "will", "may", "if", "all", "any", "was", "has", "have", "its", "their", "these", "such");

    @TempDir
    static Path tmp;
    Path encoder;
    Path data;
    Path trained;
    HeadTraining.Result result;

    @BeforeAll
    void trainOnce() throws Exception {
        encoder = tmp.resolve("encoder");
        MiniLmModelBuilder.buildEncoder(encoder);
        data = writeLabelledSentences(tmp.resolve("data.jsonl"), 300);
        trained = tmp.resolve("trained");
        result = HeadTraining.run(settings(trained, 2), quiet());
    }

    private HeadTraining.Settings settings(Path out, int epochs) {
        return HeadTraining.Settings.defaults(encoder, List.of(data), out).withEpochs(epochs).withSeed(7);
    }

    /** Documentation sentences of 6 to 60 units, every unit labelled "keep unless a function word". */
    static Path writeLabelledSentences(Path file, int count) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(TestData.corpus("docs-en.jsonl"))) {
            if (line.isBlank()) {
                continue;
            }
            for (String sentence : json.readTree(line).get("text").asText().split("(?<=[.!?])\\s+")) {
                List<String> keys = TextUnits.keys(sentence);
                if (keys.size() < 6 || keys.size() > 60 || lines.size() >= count) {
                    continue;
                }
                boolean[] keep = new boolean[keys.size()];
                for (int i = 0; i < keep.length; i++) {
                    keep[i] = !FUNCTION_WORDS.contains(keys.get(i));
                }
                lines.add(LabeledTextJson.toLine(LabeledText.of("s" + lines.size(), "en", sentence.strip(), keep)));
            }
        }
        assertEquals(count, lines.size(), "the corpus has enough sentences");
        Files.write(file, lines);
        return file;
    }

    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    @Test
    void labelledCopiesOfOneTextStayOnOneSideOfTheValidationSplit() throws Exception {
        // A teacher writes one record per rate: three copies of each text, one after another, as TeacherCorpus does.
        List<LabeledText> copies = new ArrayList<>();
        List<String> sentences = List.of("The parser reads the file and writes 12 records.",
                "A council approved the budget on Monday.", "You need to change the version in zlib.h first.",
                "The mayor said that the library opens in March.", "Each box holds 12 pencils and 3 erasers.",
                "Fontconfig is a library for font configuration.", "The job keeps running after a bad record.",
                "Sarah agreed that the timeline was too tight.", "Press the button twice to restart the server.",
                "Keep the numbers and the names of the people.");
        for (String sentence : sentences) {
            int n = TextUnits.split(sentence).size();
            for (int copy = 0; copy < 3; copy++) {
                boolean[] keep = new boolean[n];
                for (int u = 0; u <= copy * n / 3; u++) {
                    keep[u] = true;
                }
                copies.add(LabeledText.of(sentence + "@" + copy, "en", sentence, keep));
            }
        }
        io.flinkllmlingua.training.internal.Features f = io.flinkllmlingua.training.internal.Features.extract(encoder,
                copies, 1_000_000, 1, new io.flinkllmlingua.training.internal.ProgressBar(quiet(), "tokens"));
        assertEquals(sentences.size() - 1, f.texts()[f.size() - 1], "one owner per distinct text, not per record");
        int[][] split = HeadTraining.split(f, 0.3, 7);
        Set<Integer> train = new java.util.HashSet<>();
        for (int row : split[0]) {
            train.add(f.texts()[row]);
        }
        assertFalse(split[1].length == 0);
        for (int row : split[1]) {
            assertFalse(train.contains(f.texts()[row]), "text " + f.texts()[row] + " on both sides");
        }
    }

    @Test
    void learnsTheRuleWellAboveTheMajorityBaseline() throws Exception {
        assertEquals(2, result.epochsDone());
        assertTrue(result.validationTokens() > 300, "validation tokens: " + result.validationTokens());
        assertTrue(result.majorityBaseline() > 0.5 && result.majorityBaseline() < 0.9, "" + result.majorityBaseline());
        assertTrue(result.validationAccuracy() >= 0.9, "accuracy " + result.validationAccuracy());
        assertTrue(result.validationAccuracy() >= result.majorityBaseline() + 0.15,
                "accuracy " + result.validationAccuracy() + " vs majority " + result.majorityBaseline());

        JsonNode manifest = new ObjectMapper().readTree(trained.resolve(HeadTraining.MANIFEST_FILE).toFile());
        assertEquals(HeadTraining.sha256(data), manifest.get("data").get(0).get("sha256").asText());
        assertEquals(300, manifest.get("counts").get("texts").asInt());
        assertEquals(7, manifest.get("settings").get("seed").asInt());
        assertEquals(result.validationAccuracy(), manifest.get("validation").get("accuracy").asDouble());
        JsonNode config = new ObjectMapper().readTree(trained.resolve("config.json").toFile());
        assertEquals("keep", config.get("id2label").get("1").asText());
        assertTrue(Files.isRegularFile(trained.resolve("tokenizer.json")));
    }

    @Test
    void theSameSeedGivesTheSameModelBytesAndAnotherSeedOtherBytes() throws Exception {
        Path again = tmp.resolve("again");
        HeadTraining.run(settings(again, 2), quiet());
        assertArrayEquals(Files.readAllBytes(trained.resolve("model.onnx")),
                Files.readAllBytes(again.resolve("model.onnx")));
        Path other = tmp.resolve("other");
        HeadTraining.run(settings(other, 2).withSeed(8), quiet());
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(trained.resolve("model.onnx")),
                Files.readAllBytes(other.resolve("model.onnx"))));
    }

    @Test
    void aResumedRunContinuesFromTheCheckpointToTheSameModel() throws Exception {
        Path split = tmp.resolve("split");
        HeadTraining.Result first = HeadTraining.run(settings(split, 1), quiet());
        assertEquals(1, first.epochsDone());
        IllegalArgumentException again = assertThrows(IllegalArgumentException.class,
                () -> HeadTraining.run(settings(split, 2), quiet()));
        assertTrue(again.getMessage().contains("--resume"), again.getMessage());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        HeadTraining.Result resumed = HeadTraining.run(settings(split, 2).withResume(true),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("resuming after epoch 1"), log.toString());
        assertEquals(2, resumed.epochsDone());
        assertEquals(result.history(), resumed.history());
        assertArrayEquals(Files.readAllBytes(trained.resolve("model.onnx")),
                Files.readAllBytes(split.resolve("model.onnx")));
        IllegalArgumentException otherSeed = assertThrows(IllegalArgumentException.class,
                () -> HeadTraining.run(settings(split, 3).withSeed(9).withResume(true), quiet()));
        assertTrue(otherSeed.getMessage().contains("other data or settings"), otherSeed.getMessage());
    }

    @Test
    void maxTokensBoundsTheFeaturesAndSaysSoAndNoValidationTrainsOnEverything() throws Exception {
        HeadTraining.Settings d = settings(tmp.resolve("bounded"), 1);
        HeadTraining.Settings bounded = new HeadTraining.Settings(d.base(), d.data(), d.out(), 1, d.learningRate(),
                d.batchSize(), d.seed(), 0, 1500, false, d.l2(), true, d.patience(), d.pairLimits(), 1);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        HeadTraining.Result r = HeadTraining.run(bounded, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(1500, r.trainTokens());
        assertEquals(0, r.validationTokens());
        assertTrue(Double.isNaN(r.validationAccuracy()));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("(stopped at --max-tokens)"), log.toString());
        JsonNode manifest = new ObjectMapper().readTree(d.out().resolve(HeadTraining.MANIFEST_FILE).toFile());
        assertTrue(manifest.get("counts").get("stopped_at_max_tokens").asBoolean());
        assertTrue(manifest.get("counts").get("texts_used").asInt() < 300);
        assertTrue(manifest.get("settings").get("balance_classes").asBoolean());
    }

    @Test
    void theEngineLoadsTheModelAndDropsFunctionWordsFirst() throws Exception {
        String text = "The installation guide describes how to configure the network interface of a server, "
                + "and it explains which packages are required for the firewall to start at boot.";
        try (PromptCompressor engine = PromptCompressor.open(EngineConfig.builder(trained)
                .executionProvider(ExecutionProvider.CPU).intraOpThreads(1).build())) {
            CompressionResult r = engine.compress(text, CompressionOptions.referenceBuilder().rate(0.6).build());
            List<String> kept = TextUnits.keys(r.compressedPrompt());
            assertFalse(kept.isEmpty());
            long functionKept = kept.stream().filter(FUNCTION_WORDS::contains).count();
            long functionAll = TextUnits.keys(text).stream().filter(FUNCTION_WORDS::contains).count();
            assertTrue(functionKept * 3 <= functionAll, "kept " + functionKept + " of " + functionAll
                    + " function words: " + r.compressedPrompt());
            long contentKept = kept.size() - functionKept;
            long contentAll = TextUnits.keys(text).size() - functionAll;
            assertTrue(contentKept * 10 >= contentAll * 7, "kept " + contentKept + " of " + contentAll
                    + " content words: " + r.compressedPrompt());
            assertTrue(kept.containsAll(List.of("installation", "firewall")), r.compressedPrompt());
        }
    }
}
