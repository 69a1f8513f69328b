package io.flinkllmlingua.training.eval;

import io.flinkllmlingua.models.ModelQuantizer;
import io.flinkllmlingua.testkit.TestData;
import io.flinkllmlingua.training.demo.TeacherDemoModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The int8 copy of the demo model (the one model here whose decisions mean something) keeps at least 99 % of the
 * float model's word decisions through the real engine at rate 0.5, and of its token decisions (p(keep) > 0.5), on
 * English documentation text it was not trained on ({@code src/test-data/corpora/docs-en.jsonl}).
 */
class QuantizedDemoAgreementTest {
    static final int TEXTS = 24;

    @Test
    void int8DemoModelKeepsTheFloatModelsDecisions(@TempDir Path tmp) throws IOException {
        Path fp32 = TeacherDemoModel.ensure(System.out).directory();
        Path int8 = ModelQuantizer.quantize(fp32, tmp.resolve("int8")).directory();
        List<String> texts = KeepAgreement.readCorpus(TestData.corpus("docs-en.jsonl"), TEXTS);
        assertEquals(TEXTS, texts.size());
        KeepAgreement.Result r = KeepAgreement.compare(fp32, int8, texts);
        System.out.println("int8 vs fp32 demo model: " + r.summary());
        assertTrue(r.words() > 5000, r::summary);
        assertTrue(r.wordAgreement() >= 0.99, r::summary);
        assertTrue(r.tokenAgreement() >= 0.99, r::summary);
        // The contrast that makes the bar mean something: the model against itself is exact.
        KeepAgreement.Result self = KeepAgreement.compare(fp32, fp32, texts.subList(0, 2));
        assertEquals(self.words(), self.sameWords());
        assertEquals(0.0, self.maxProbabilityDifference());
    }
}
