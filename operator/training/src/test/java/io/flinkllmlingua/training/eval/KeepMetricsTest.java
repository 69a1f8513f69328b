package io.flinkllmlingua.training.eval;

import io.flinkllmlingua.training.LabeledText;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KeepMetricsTest {

    @Test
    void precisionRecallAndF1FromCounts() {
        boolean[] predicted = {true, true, true, false, false, true};
        boolean[] reference = {true, false, true, true, false, false};
        KeepMetrics m = KeepMetrics.of(predicted, reference);
        // both: units 0 and 2; predicted 4; reference 3
        assertEquals(2, m.truePositives());
        double p = 2.0 / 4;
        double r = 2.0 / 3;
        assertEquals(p, m.precision(), 1e-12);
        assertEquals(r, m.recall(), 1e-12);
        assertEquals(2 * p * r / (p + r), m.f1(), 1e-12);
        assertEquals(0, KeepMetrics.of(new boolean[3], new boolean[3]).f1());
        assertThrows(IllegalArgumentException.class, () -> KeepMetrics.of(new boolean[2], new boolean[3]));
    }

    @Test
    void microSumsCountsWhileMacroAveragesTexts() {
        // Text a: 4 units, reference keeps 2, the model's top 2 hit 1. Text b: 10 units, reference keeps 5, hit 5.
        LabeledText a = LabeledText.of("a", "en", "red green blue cyan", new boolean[] {true, true, false, false});
        LabeledText b = LabeledText.of("b", "en", "one two three four five six seven eight nine ten",
                new boolean[] {true, true, true, true, true, false, false, false, false, false});
        KeepMetrics ma = KeepMetrics.of(new boolean[] {true, false, true, false}, a.labels());
        KeepMetrics mb = KeepMetrics.of(b.labels(), b.labels());
        KeepMetrics micro = ma.plus(mb);
        assertEquals((1.0 + 5) / (2 + 5), micro.f1(), 1e-12);
        double macro = (ma.f1() + mb.f1()) / 2;
        assertEquals((0.5 + 1.0) / 2, macro, 1e-12);
    }

    @Test
    void topKKeepsTheHighestScoresAndBreaksTiesInTextOrder() {
        double[] scores = {0.2, 0.9, 0.5, 0.5, 0.9, 0.1};
        assertArrayEquals(new boolean[] {false, true, false, false, true, false}, KeepSelection.topK(scores, 2));
        // third place: 0.5 at index 2 and 3 tie; the earlier one wins
        assertArrayEquals(new boolean[] {false, true, true, false, true, false}, KeepSelection.topK(scores, 3));
        assertArrayEquals(new boolean[6], KeepSelection.topK(scores, 0));
        assertThrows(IllegalArgumentException.class, () -> KeepSelection.topK(scores, 7));
    }

    @Test
    void stopwordBaselineKeepsContentWordsInOrderThenFillsWithStopwords() {
        Stopwords en = Stopwords.forLanguage("en");
        LabeledText t = LabeledText.of("t", "en", "The cat sat on the mat", new boolean[6]);
        assertArrayEquals(new boolean[] {false, true, true, false, false, false},
                KeepSelection.stopwordBaseline(t, en, 2));
        assertArrayEquals(new boolean[] {true, true, true, false, false, true},
                KeepSelection.stopwordBaseline(t, en, 4));
        assertEquals(List.of(true, false), List.of(en.contains("THE"), en.contains("cat")));
        assertEquals(true, Stopwords.forLanguage("zh-CN").contains("的"));
        assertEquals(0, Stopwords.forLanguage("xx").size());
    }
}
