package io.flinkllmlingua.training;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairAlignerTest {
    private static List<String> kept(PairAligner.Result r) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < r.labels().units().size(); i++) {
            if (r.labels().units().get(i).keep()) {
                out.add(r.labels().unitText(i));
            }
        }
        return out;
    }

    @Test
    void aDeletionOnlyCompressionLabelsExactlyTheKeptUnits() {
        String original = "John: So, um, I've been thinking about the project, you know, and I believe we need changes.";
        PairAligner.Result r = PairAligner.align("t", "en", original, "John: thinking project believe need changes.");
        assertEquals(List.of("John", "thinking", "project", "believe", "need", "changes"), kept(r));
        assertEquals(0.0, r.variationRate());
        assertEquals(0.0, r.alignmentGap());
        assertEquals(6, r.matchedUnits());
        assertTrue(r.acceptable(PairAligner.DEFAULT_MAX_VARIATION_RATE, PairAligner.DEFAULT_MAX_ALIGNMENT_GAP));
    }

    @Test
    void everySubsequenceOfARealTextIsRecoveredWithItsCount() {
        String original = String.join(" ", java.util.Collections.nCopies(30,
                "the parser reads the file and the writer writes the file again"));
        List<TextUnits.Span> spans = TextUnits.split(original);
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        StringBuilder compressed = new StringBuilder();
        int chosen = 0;
        for (TextUnits.Span s : spans) {
            if (random.nextInt(4) == 0) {
                compressed.append(s.of(original)).append(' ');
                chosen++;
            }
        }
        PairAligner.Result r = PairAligner.align("t", "en", original, compressed.toString());
        // Repeated words make the occurrence ambiguous, but a subsequence is always placed in full.
        assertEquals(chosen, r.matchedUnits());
        assertEquals(chosen, r.labels().keptCount());
        assertEquals(0.0, r.alignmentGap());
    }

    @Test
    void addedWordsRaiseTheVariationRateAndChangedFormsMatchFuzzily() {
        PairAligner.Result r = PairAligner.align("t", "en", "The councils approved the budgets on Monday.",
                "council approved budget Monday plus extra");
        assertEquals(List.of("councils", "approved", "budgets", "Monday"), kept(r));
        assertEquals(2, r.fuzzyUnits());
        // council, budget, plus and extra occur nowhere in the original: 4 of 6.
        assertEquals(4.0 / 6, r.variationRate(), 1e-12);
        assertFalse(r.acceptable(0.5, 1.0));
    }

    @Test
    void reorderedWordsShowAsAnAlignmentGap() {
        PairAligner.Result r = PairAligner.align("t", "en", "alpha beta gamma delta", "delta alpha");
        // delta is placed; alpha exists but lies before it, so it cannot be placed in order.
        assertEquals(List.of("delta"), kept(r));
        assertEquals(0.0, r.variationRate());
        assertEquals(0.5, r.alignmentGap(), 1e-12);
    }

    @Test
    void aLongJumpNeedsTheNextUnitToAgree() {
        StringBuilder original = new StringBuilder();
        StringBuilder head = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            original.append(" word").append(i);
            head.append(" word").append(i);
        }
        for (int i = 0; i < 200; i++) {
            original.append(" filler").append(i);
        }
        original.append(" a end");
        // 22 compressed units over 222: the window is 64 units, and "a" lies 200 units past it.
        PairAligner.Result alone = PairAligner.align("t", "en", original.toString(), head + " a zzz");
        assertEquals(20, alone.matchedUnits());
        assertFalse(kept(alone).contains("a"));
        PairAligner.Result confirmed = PairAligner.align("t", "en", original.toString(), head + " a end");
        assertEquals(22, confirmed.matchedUnits());
        assertTrue(kept(confirmed).containsAll(List.of("a", "end")));
    }

    @Test
    void chineseAlignsCharacterByCharacter() {
        PairAligner.Result r = PairAligner.align("t", "zh", "新华社海口２月９日专电", "新华社 2月9日");
        boolean[] expected = {true, true, true, false, false, true, true, true, true, false, false};
        assertArrayEquals(expected, r.labels().labels());
    }

    @Test
    void anEmptyCompressionKeepsNothing() {
        PairAligner.Result r = PairAligner.align("t", "en", "some words here", "  ...  ");
        assertEquals(0, r.labels().keptCount());
        assertEquals(3, r.labels().units().size());
    }
}
