package io.flinkllmlingua.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.models.minilm.MiniLmModelBuilder;
import io.flinkllmlingua.testkit.TestData;
import io.flinkllmlingua.training.eval.EvaluationReport;
import io.flinkllmlingua.training.eval.Evaluator;
import io.flinkllmlingua.training.eval.ModelKeepScores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole loop a user runs: original/compressed pairs (MeetingBank-LLMCompressed field names) to labels by
 * alignment, {@code train} on some of them over the real MiniLM encoder, {@code eval} on pairs it never saw. The
 * compressor of the pairs keeps the words of five letters or more and every number, a rule the stopword baseline
 * does not know, so a high F1 means the head learnt it from the aligned labels.
 */
class TrainThenEvaluateTest {
    @TempDir
    Path tmp;

    @Test
    void aHeadTrainedOnPairsReproducesTheirCompressorOnHeldOutPairs() throws Exception {
        List<String> sentences = sentences(260);
        Path train = writePairs(tmp.resolve("train.jsonl"), sentences.subList(0, 200));
        Path heldOut = writePairs(tmp.resolve("held-out.jsonl"), sentences.subList(200, 260));
        Path encoder = tmp.resolve("encoder");
        MiniLmModelBuilder.buildEncoder(encoder);
        Path model = tmp.resolve("model");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        HeadTraining.Result trained = HeadTraining.run(HeadTraining.Settings.defaults(encoder, List.of(train), model)
                .withEpochs(3), new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(200, trained.data().pairs());
        assertTrue(trained.data().rejected().isEmpty(), "a deletion-only compression aligns completely");

        TrainingData.Loaded references = TrainingData.read(List.of(heldOut), TrainingData.PairLimits.DEFAULTS);
        assertEquals(60, references.texts().size());
        EvaluationReport report;
        try (ModelKeepScores scores = new ModelKeepScores(model, 0)) {
            report = Evaluator.evaluate(references.texts(), scores, "trained", "held-out pairs");
        }
        System.out.println(report.toMarkdown());
        EvaluationReport.LanguageResult en = report.language("en");
        double f1 = en.microF1(Evaluator.MODEL);
        assertTrue(f1 >= 0.85, "held-out F1 " + f1);
        assertTrue(f1 > en.microF1(Evaluator.STOPWORD) + 0.05, "no better than the stopword baseline: " + f1);
        assertTrue(f1 > en.microF1(Evaluator.RANDOM) + 0.2, "no better than random: " + f1);
    }

    private static List<String> sentences(int count) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(TestData.corpus("docs-en.jsonl"))) {
            for (String s : json.readTree(line).get("text").asText().split("(?<=[.!?])\\s+")) {
                int units = TextUnits.split(s).size();
                if (units >= 8 && units <= 60 && out.size() < count) {
                    out.add(s.replace('\n', ' '));
                }
            }
        }
        assertEquals(count, out.size());
        return out;
    }

    private static Path writePairs(Path file, List<String> originals) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (String original : originals) {
            StringBuilder compressed = new StringBuilder();
            for (TextUnits.Span u : TextUnits.split(original)) {
                String word = u.of(original);
                if (word.length() >= 5 || word.chars().anyMatch(Character::isDigit)) {
                    compressed.append(compressed.length() == 0 ? "" : " ").append(word);
                }
            }
            ObjectNode pair = json.createObjectNode().put("prompt", original)
                    .put("compressed_prompt", compressed.toString()).put("language", "en");
            lines.add(json.writeValueAsString(pair));
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }
}
