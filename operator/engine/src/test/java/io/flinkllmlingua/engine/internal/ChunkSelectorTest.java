package io.flinkllmlingua.engine.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Spec §7.3 (weighted threshold, strict keep rule), §7.4 (drop_consecutive), §7.8 A and B end to end. */
class ChunkSelectorTest {
    private static final String M = "\u2581";
    private static TokenCounter counter;
    private static ChunkSelector selector;

    @BeforeAll
    static void init() {
        counter = new TokenCounter();
        selector = new ChunkSelector(counter);
    }

    private static double reduce(double rate) {
        return Math.max(0, 1 - rate);
    }

    private static List<String> kept(List<String> words, boolean[] kept) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < kept.length; i++) {
            if (kept[i]) {
                out.add(words.get(i));
            }
        }
        return out;
    }

    private static boolean[] labels(int... l) {
        boolean[] b = new boolean[l.length];
        for (int i = 0; i < l.length; i++) {
            b[i] = l[i] == 1;
        }
        return b;
    }

    /** §7.3 step 1: the ▁ costs 2 cl100k tokens, so every ▁word of the examples weighs 3; "." and "\n" weigh 1. */
    @Test
    void exampleWeights() {
        for (String w : List.of(M + "The", M + "cat", M + "sat", M + "A", M + "b", M + "C", M + "d")) {
            assertEquals(3, counter.countWord(w), w);
        }
        assertEquals(1, counter.countWord("."));
        assertEquals(1, counter.countWord("\n"));
    }

    /** §7.8 A, rate 0.5: q 51, T = 0.6 exactly; ▁sat (0.6) is dropped by the strict rule; output "cat.". */
    @Test
    void workedExampleARate05() {
        List<String> words = List.of(M + "The", M + "cat", M + "sat", ".");
        double[] p = {0.2, 0.9, 0.6, 1.0};
        ChunkSelection s = selector.select(words, p, reduce(0.5), Set.of("."), false);
        assertEquals(51, s.percentileIndex());
        assertEquals(0.6, s.threshold());
        assertArrayEquals(labels(0, 1, 0, 1), s.kept());
        assertEquals("cat.", FamilyRules.SENTENCEPIECE.decode(kept(words, s.kept())));
        assertTrue(Double.isNaN(s.dropConsecutiveThreshold()));
        assertArrayEquals(new double[] {0.2, 0.9, 0.6, 1.0}, p); // input untouched
    }

    /** §7.8 A, rate 0.33: q 68, T = 0.9 ⇒ only "." survives. */
    @Test
    void workedExampleARate033() {
        List<String> words = List.of(M + "The", M + "cat", M + "sat", ".");
        ChunkSelection s = selector.select(words, new double[] {0.2, 0.9, 0.6, 1.0}, reduce(0.33), Set.of("."), false);
        assertEquals(68, s.percentileIndex());
        assertEquals(0.9, s.threshold());
        assertArrayEquals(labels(0, 0, 0, 1), s.kept());
        assertEquals(".", FamilyRules.SENTENCEPIECE.decode(kept(words, s.kept())));
    }

    /**
     * §7.8 B: drop_consecutive, force ["\n"], rate 0.7. Td = 0.905; the 2nd and 3rd newline become 0.0; T = 0.165;
     * labels 1,1,1,0,0,1,0,1; output "A\n b C\n".
     */
    @Test
    void workedExampleB() {
        List<String> words = List.of(M + "A", "\n", M + "b", "\n", "\n", M + "C", M + "d", "\n");
        double[] p = {0.9, 1, 0.2, 1, 1, 0.95, 0.1, 1};
        ChunkSelection s = selector.select(words, p, reduce(0.7), Set.of("\n"), true);
        assertEquals(0.905, s.dropConsecutiveThreshold(), 1e-12);
        assertArrayEquals(new double[] {0.9, 1, 0.2, 0.0, 0.0, 0.95, 0.1, 1}, s.probabilities());
        assertEquals(31, s.percentileIndex());
        assertEquals(0.165, s.threshold(), 1e-12);
        assertArrayEquals(labels(1, 1, 1, 0, 0, 1, 0, 1), s.kept());
        assertEquals("A\n b C\n", FamilyRules.SENTENCEPIECE.decode(kept(words, s.kept())));
        assertArrayEquals(new double[] {0.9, 1, 0.2, 1, 1, 0.95, 0.1, 1}, p); // input untouched
    }

    /** Without drop_consecutive the same words keep all newlines. */
    @Test
    void workedExampleBWithoutDropConsecutive() {
        List<String> words = List.of(M + "A", "\n", M + "b", "\n", "\n", M + "C", M + "d", "\n");
        ChunkSelection s = selector.select(words, new double[] {0.9, 1, 0.2, 1, 1, 0.95, 0.1, 1}, reduce(0.7),
                Set.of("\n"), false);
        // weighted: 0.1×3, 0.2×3, 0.9×3, 0.95×3, 1×4 (n = 16), q 31 → index 4.65 between 0.2 and 0.2
        assertEquals(0.2, s.threshold());
        assertArrayEquals(labels(1, 1, 0, 1, 1, 1, 0, 1), s.kept());
    }

    /** Strict >: words equal to T are dropped; a tie on the whole list keeps nothing. */
    @Test
    void allEqualProbabilitiesKeepNothing() {
        List<String> words = List.of(M + "a", M + "b", ",", M + "c");
        ChunkSelection s = selector.select(words, new double[] {0.7, 0.7, 0.7, 0.7}, reduce(0.5), Set.of(), false);
        assertEquals(0.7, s.threshold());
        assertArrayEquals(labels(0, 0, 0, 0), s.kept());
    }

    /** T == 1.0 exception: words at exactly 1.0 survive a threshold of 1.0. */
    @Test
    void thresholdOneKeepsForcedWords() {
        // weighted: 0.5×3, 1×2; rate 0.1 → q 91 → index 3.64 between 1.0 and 1.0 → T = 1.0
        List<String> words = List.of("\n", ".", M + "x");
        ChunkSelection s = selector.select(words, new double[] {1.0, 1.0, 0.5}, reduce(0.1), Set.of("\n", "."), false);
        assertEquals(91, s.percentileIndex());
        assertEquals(1.0, s.threshold());
        assertArrayEquals(labels(1, 1, 0), s.kept());
    }

    /** A threshold just below 1.0 is an ordinary strict threshold. */
    @Test
    void thresholdBelowOneIsStrict() {
        List<String> words = List.of(M + "a", M + "b", M + "c");
        double high = Math.nextDown(1.0);
        ChunkSelection s = selector.select(words, new double[] {high, high, 0.5}, reduce(0.1), Set.of(), false);
        assertEquals(high, s.threshold());
        assertArrayEquals(labels(0, 0, 0), s.kept());
    }

    /**
     * drop_consecutive selection rule: a force token that passes the threshold is still dropped when it equals
     * the last kept word. Td (q 40, unweighted) = 0.18 so "▁b" (0.5) separates the newlines during the scan and the
     * second newline keeps 1.0; T (q 41, weighted) = 0.5 drops "▁b", so the kept sequence would be "\n" "\n".
     */
    @Test
    void dropConsecutiveLastKeptRule() {
        List<String> words = List.of(",", ",", ",", ",", "\n", M + "b", "\n", M + "c", M + "d");
        double[] p = {0.1, 0.1, 0.1, 0.1, 1, 0.5, 1, 0.9, 0.9};
        assertEquals(1, counter.countWord(","));
        ChunkSelection s = selector.select(words, p, reduce(0.6), Set.of("\n"), true);
        assertEquals(0.18, s.dropConsecutiveThreshold(), 1e-12);
        assertEquals(1.0, s.probabilities()[6]);
        assertEquals(41, s.percentileIndex());
        assertEquals(0.5, s.threshold());
        assertArrayEquals(labels(0, 0, 0, 0, 1, 0, 0, 1, 1), s.kept());

        // the same without drop_consecutive keeps both newlines
        ChunkSelection plain = selector.select(words, p, reduce(0.6), Set.of("\n"), false);
        assertArrayEquals(labels(0, 0, 0, 0, 1, 0, 1, 1, 1), plain.kept());
    }

    /** drop_consecutive compares the stored word: force "." matches "." but not "▁.". */
    @Test
    void dropConsecutiveMatchesExactWord() {
        List<String> words = List.of(M + "x", ".", ".", M + ".", M + ".", M + "y");
        double[] p = {0.9, 1.0, 1.0, 1.0, 1.0, 0.8};
        ChunkSelection s = selector.select(words, p, reduce(0.5), Set.of("."), true);
        assertArrayEquals(new double[] {0.9, 1.0, 0.0, 1.0, 1.0, 0.8}, s.probabilities());
    }

    @Test
    void emptyChunk() {
        ChunkSelection s = selector.select(List.of(), new double[0], 0.5, Set.of(), true);
        assertEquals(0, s.kept().length);
    }
}
