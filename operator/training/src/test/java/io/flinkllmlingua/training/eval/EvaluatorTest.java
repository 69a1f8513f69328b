package io.flinkllmlingua.training.eval;

import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.TinyModelGenerator;
import io.flinkllmlingua.training.LabeledText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvaluatorTest {

    @Test
    void randomDrawsAreDeterministicAndKeepExactlyK() {
        boolean[] a = KeepSelection.random(50, 17, new Random(7));
        boolean[] b = KeepSelection.random(50, 17, new Random(7));
        assertArrayEquals(a, b);
        int kept = 0;
        for (boolean x : a) {
            kept += x ? 1 : 0;
        }
        assertEquals(17, kept);
    }

    @Test
    void randomBaselineExpectsFOneOfKOverN() {
        // 400 units, reference keeps 100: a random choice of 100 hits 100 * 100/400 in expectation, F1 = k/n.
        int n = 400;
        int k = 100;
        boolean[] keep = new boolean[n];
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            text.append("w").append(i).append(' ');
            keep[i] = i % 4 == 0;
        }
        LabeledText t = LabeledText.of("synthetic", "en", text.toString(), keep);
        EvaluationReport r1 = Evaluator.evaluate(List.of(t), null, null, "synthetic");
        EvaluationReport r2 = Evaluator.evaluate(List.of(t), null, null, "synthetic");
        double f1 = r1.language("en").microF1(Evaluator.RANDOM);
        assertEquals(f1, r2.language("en").microF1(Evaluator.RANDOM));
        assertEquals((double) k / n, f1, 0.02);
        // no stopwords in the text: the stopword baseline keeps the first k units, of which every fourth is kept
        assertEquals(25.0 / 100, r1.language("en").microF1(Evaluator.STOPWORD), 1e-12);
        assertEquals(r1.toJson(), r2.toJson());
    }

    @Test
    void downstreamClassesCountNumbersEntitiesAndContentWords() {
        LabeledText t = LabeledText.of("d", "en", "Item 28 was sent to Austin by the IRP board. Then it ended.",
                new boolean[13]);
        UnitClasses c = UnitClasses.of(t, Stopwords.forLanguage("en"));
        // units: Item 28 was sent to Austin by the IRP board Then it ended
        List<String> numbers = new ArrayList<>();
        List<String> entities = new ArrayList<>();
        for (int i = 0; i < t.units().size(); i++) {
            if (c.number()[i]) {
                numbers.add(t.unitText(i));
            }
            if (c.entity()[i]) {
                entities.add(t.unitText(i));
            }
        }
        assertEquals(List.of("28"), numbers);
        // "Item" and "Then" start sentences; "Austin" and the all-caps "IRP" are entities
        assertEquals(List.of("Austin", "IRP"), entities);
        assertTrue(!c.content()[2] && c.content()[3]); // "was" is a stopword, "sent" is not
    }

    /** A real ONNX model and tokenizer of each family (the MiniLM demo model is evaluated by the CLI's test). */
    @ParameterizedTest
    @EnumSource(GeneratedFamily.class)
    void evaluatesAGeneratedModelOnTheGoldenSetEndToEnd(GeneratedFamily family, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve(family.name());
        TinyModelGenerator.generateTiny(dir, family);
        EvaluationReport r;
        try (ModelKeepScores model = new ModelKeepScores(dir, 1)) {
            r = Evaluator.evaluate(GoldenReferences.load(), model, dir.toString(), "golden");
        }
        System.out.println(r.toMarkdown());
        for (String language : List.of("en", "zh")) {
            EvaluationReport.LanguageResult l = r.language(language);
            double f1 = l.microF1(Evaluator.MODEL);
            assertTrue(f1 >= 0 && f1 <= 1, language + " F1 " + f1);
            assertNotNull(l.unitsWithoutToken());
            assertTrue(l.unitsWithoutToken() < l.units(), language);
            assertEquals(l.kept(), l.micro().get(Evaluator.MODEL).predicted());
        }
        assertTrue(r.toMarkdown().contains("| en | 3 | 785 | 263 |"), r.toMarkdown());
        assertTrue(r.toJson().contains("\"unitsWithoutToken\""));
    }
}
