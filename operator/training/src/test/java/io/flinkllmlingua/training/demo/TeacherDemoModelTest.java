package io.flinkllmlingua.training.demo;

import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.PromptCompressor;
import io.flinkllmlingua.training.eval.EvaluationReport;
import io.flinkllmlingua.training.eval.Evaluator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Builds the demo model exactly as the embedded default does (encoder, teacher labels, training, evaluation) and
 * holds it to the bar: keep-word F1 of at least 0.70 against the real LLMLingua-2 outputs on the English
 * golden cases, above the stopword and random baselines.
 */
class TeacherDemoModelTest {
    @TempDir
    static Path dir;
    static TeacherDemoModel.Built built;
    static String log;

    @BeforeAll
    static void build() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        built = TeacherDemoModel.ensure(dir.resolve("demo"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        log = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(built.evaluation().toMarkdown());
    }

    @Test
    void englishGoldenF1ReachesTheBarAndBeatsTheBaselines() {
        assertFalse(built.cached());
        EvaluationReport.LanguageResult en = built.evaluation().language("en");
        double f1 = en.microF1(Evaluator.MODEL);
        assertTrue(f1 >= 0.70, "golden English keep-word F1 " + f1);
        assertTrue(f1 > en.microF1(Evaluator.STOPWORD) + 0.05, "not above the stopword baseline: " + f1);
        assertTrue(f1 > en.microF1(Evaluator.RANDOM) + 0.2, "not above the random baseline: " + f1);
        assertEquals(3, en.texts());
        assertTrue(log.contains("golden keep-word F1 en"), log);
    }

    @Test
    void theCachedModelIsReusedWithTheSameEvaluation() throws IOException {
        TeacherDemoModel.Built again = TeacherDemoModel.ensure(dir.resolve("demo"), new PrintStream(
                new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertTrue(again.cached());
        assertEquals(built.goldenF1("en"), again.goldenF1("en"), 1e-12);
        assertTrue(Files.isRegularFile(dir.resolve("demo").resolve(TeacherDemoModel.EVALUATION_FILE)));
        assertTrue(Files.isRegularFile(dir.resolve("demo").resolve("training-manifest.json")));
    }

    @Test
    void theEngineKeepsNumbersAndNamesAndDropsFunctionWords() {
        String text = "On Monday the council of Springfield approved a budget of 4.2 million dollars for the new "
                + "library, and the mayor said that the building will open in March 2027.";
        try (PromptCompressor c = PromptCompressor.open(EngineConfig.builder(built.directory()).build())) {
            CompressionResult r = c.compress(text, CompressionOptions.builder().rate(0.5).build());
            String out = r.compressedPrompt();
            for (String kept : new String[] {"springfield", "budget", "million", "2027"}) {
                assertTrue(out.toLowerCase(java.util.Locale.ROOT).contains(kept.toLowerCase(java.util.Locale.ROOT)),
                        kept + " dropped: " + out);
            }
            assertFalse((" " + out + " ").contains(" the "), "'the' kept: " + out);
        }
    }
}
