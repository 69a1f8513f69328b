package io.flinkllmlingua.training.eval;

import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.TinyModelGenerator;
import io.flinkllmlingua.training.LabeledText;
import io.flinkllmlingua.training.TextUnits;
import io.flinkllmlingua.training.TokenOutputs;
import io.flinkllmlingua.training.TokenWindows;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelKeepScoresTest {

    /** The merge pass agrees with a brute-force mean over every token whose span overlaps the unit. */
    @ParameterizedTest
    @EnumSource(GeneratedFamily.class)
    void unitScoreIsTheMeanKeepProbabilityOfItsOverlappingTokens(GeneratedFamily family, @TempDir Path tmp)
            throws Exception {
        Path dir = tmp.resolve("m");
        TinyModelGenerator.generateTiny(dir, family);
        String text = "Councilman Austin's motion, item 28: unbelievably long-winded 新闻内容 H1N1 — done.";
        LabeledText t = LabeledText.of("x", "en", text, new boolean[TextUnits.split(text).size()]);
        KeepScorer.Scores scores;
        try (ModelKeepScores m = new ModelKeepScores(dir, 1)) {
            scores = m.score(t);
        }
        double[] expected = new double[t.units().size()];
        int without = 0;
        try (TokenWindows w = TokenWindows.open(dir, TokenWindows.DEFAULT_MAX_LENGTH);
             TokenOutputs o = new TokenOutputs(dir, "logits", 1)) {
            TokenWindows.Tokens tokens = w.tokens(text);
            double[] p = new double[tokens.size()];
            for (TokenWindows.Window win : w.windows(tokens)) {
                float[][] logits = o.run(win);
                for (int j = 0; j < win.count(); j++) {
                    double e0 = Math.exp(logits[j][0]);
                    double e1 = Math.exp(logits[j][1]);
                    p[win.from() + j] = e1 / (e0 + e1);
                }
            }
            for (int u = 0; u < expected.length; u++) {
                LabeledText.Unit unit = t.units().get(u);
                double sum = 0;
                int n = 0;
                for (int k = 0; k < tokens.size(); k++) {
                    if (tokens.starts()[k] >= 0 && tokens.starts()[k] < unit.end() && tokens.ends()[k] > unit.start()) {
                        sum += p[k];
                        n++;
                    }
                }
                expected[u] = n == 0 ? 0 : sum / n;
                without += n == 0 ? 1 : 0;
            }
        }
        assertEquals(without, scores.unitsWithoutToken());
        for (int u = 0; u < expected.length; u++) {
            assertEquals(expected[u], scores.scores()[u], 1e-9, t.unitText(u));
            assertTrue(scores.scores()[u] >= 0 && scores.scores()[u] <= 1);
        }
    }
}
