package io.flinkllmlingua.engine.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flinkllmlingua.engine.TokenToWord;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Spec §6 / §6.1 (tokens → words) with hand-built token arrays, and §6 word probability (mean / first). */
class WordMergerTest {
    private static final Set<String> SP_SPECIALS = Set.of("<s>", "</s>", "<unk>", "<pad>", "<mask>");
    private static final Set<String> WP_SPECIALS = Set.of("[CLS]", "[SEP]", "[UNK]", "[MASK]");
    private static final WordMerger SP = new WordMerger(FamilyRules.SENTENCEPIECE, SP_SPECIALS);
    private static final WordMerger WP = new WordMerger(FamilyRules.WORDPIECE, WP_SPECIALS);
    private static final String M = "\u2581";

    /** Force map without a model tokenizer: "\n" has no piece, single words are one piece, phrases several. */
    private static ForceTokenMap force(String... tokens) {
        return ForceTokenMap.build(List.of(tokens), List.of(".", "\n"),
                s -> s.isBlank() ? 0 : s.split(" ").length);
    }

    private static final ForceTokenMap NO_FORCE = force();

    private static void assertPieces(double[][] expected, ChunkWords w) {
        assertEquals(expected.length, w.pieceProbabilities().size());
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], w.pieceProbabilities().get(i), "word " + i + " " + w.words().get(i));
        }
    }

    /** §6.1 XLM-R: ▁John : ▁So , ▁I ' ve ⇒ six words; "'" is punctuation so it starts a word, "ve" continues it. */
    @Test
    void sentencePieceWorkedExample() {
        String[] tokens = {"<unk>", M + "John", ":", M + "So", ",", M + "I", "'", "ve", "<unk>"};
        float[] p = {0.875f, 0.125f, 0.25f, 0.375f, 0.5f, 0.625f, 0.75f, 0.0625f, 0.875f};
        ChunkWords w = SP.merge(tokens, p, NO_FORCE, false);
        assertEquals(List.of(M + "John", ":", M + "So", ",", M + "I", "'ve"), w.words());
        assertPieces(new double[][] {{0.125}, {0.25}, {0.375}, {0.5}, {0.625}, {0.75, 0.0625}}, w);
        assertArrayEquals(new double[] {0.125, 0.25, 0.375, 0.5, 0.625, 0.75}, w.unforcedProbabilities());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6}, w.firstPiece());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 7}, w.lastPiece());
        assertEquals(6, w.size());
    }

    /** §6.1 BERT: the same pieces give seven words (no ##, so "ve" is its own word). */
    @Test
    void wordPieceWorkedExample() {
        String[] tokens = {"[CLS]", "John", ":", "So", ",", "I", "'", "ve", "[SEP]"};
        float[] p = {0.875f, 0.125f, 0.25f, 0.375f, 0.5f, 0.625f, 0.75f, 0.0625f, 0.875f};
        ChunkWords w = WP.merge(tokens, p, NO_FORCE, false);
        assertEquals(List.of("John", ":", "So", ",", "I", "'", "ve"), w.words());
        assertPieces(new double[][] {{0.125}, {0.25}, {0.375}, {0.5}, {0.625}, {0.75}, {0.0625}}, w);
    }

    @Test
    void wordPieceContinuationsAreStripped() {
        String[] tokens = {"[CLS]", "play", "##ing", "##s", "x", "[SEP]"};
        float[] p = {0f, 0.5f, 0.25f, 0.125f, 1f, 0f};
        ChunkWords w = WP.merge(tokens, p, NO_FORCE, false);
        assertEquals(List.of("playings", "x"), w.words());
        assertPieces(new double[][] {{0.5, 0.25, 0.125}, {1.0}}, w);
        assertArrayEquals(new double[] {0.5, 1.0}, w.unforcedProbabilities());
        assertArrayEquals(new int[] {1, 4}, w.firstPiece());
        assertArrayEquals(new int[] {3, 4}, w.lastPiece());
    }

    /** Special tokens are skipped entirely, also mid-word: the next continuation joins the previous word. */
    @Test
    void specialTokensSkipped() {
        ChunkWords w = SP.merge(new String[] {"<s>", M + "a", "<unk>", "b", "<pad>", "</s>", "<mask>"},
                new float[] {1f, 0.5f, 1f, 0.25f, 1f, 1f, 1f}, NO_FORCE, false);
        assertEquals(List.of(M + "ab"), w.words());
        assertPieces(new double[][] {{0.5, 0.25}}, w);

        ChunkWords x = WP.merge(new String[] {"[CLS]", "a", "[UNK]", "[MASK]", "b", "[SEP]"},
                new float[] {1f, 0.5f, 1f, 1f, 0.25f, 1f}, NO_FORCE, false);
        assertEquals(List.of("a", "b"), x.words());

        // BERT's [PAD] is not in the special set (pad id 0 is falsy): it would be a word
        ChunkWords y = WP.merge(new String[] {"a", "[PAD]"}, new float[] {0.5f, 0.25f}, NO_FORCE, false);
        assertEquals(List.of("a", "[PAD]"), y.words());
    }

    @Test
    void onlySpecialsGiveNoWords() {
        ChunkWords w = SP.merge(new String[] {"<unk>", "<unk>"}, new float[] {0.5f, 0.5f}, NO_FORCE, false);
        assertEquals(0, w.size());
        assertEquals(0, w.unforcedProbabilities().length);
    }

    /** Forcing overrides only the first piece; continuation pieces keep their own probabilities. */
    @Test
    void forcingOnlyTheFirstPiece() {
        ForceTokenMap f = force("John");
        assertTrue(f.mapping().isEmpty());
        ChunkWords w = SP.merge(new String[] {M + "John", "ny", M + "x"}, new float[] {0.25f, 0.5f, 0.75f}, f, false);
        assertEquals(List.of(M + "Johnny", M + "x"), w.words());
        assertPieces(new double[][] {{1.0, 0.5}, {0.75}}, w);
        // the unforced probability is the raw first-piece value
        assertArrayEquals(new double[] {0.25, 0.75}, w.unforcedProbabilities());
    }

    /** SentencePiece: a forced raw piece without ▁ starts a word of its own. */
    @Test
    void sentencePieceForcedPieceStartsWord() {
        ChunkWords w = SP.merge(new String[] {M + "I", "'", "ve"}, new float[] {0.5f, 0.25f, 0.125f}, force("ve"), false);
        assertEquals(List.of(M + "I", "'", "ve"), w.words());
        assertPieces(new double[][] {{0.5}, {0.25}, {1.0}}, w);
    }

    /** WordPiece: force token "s" matches the piece "##s" after stripping; the word keeps its raw "##s". */
    @Test
    void wordPieceForcedContinuation() {
        ChunkWords w = WP.merge(new String[] {"[CLS]", "cat", "##s", "[SEP]"}, new float[] {1f, 0.5f, 0.25f, 1f},
                force("s"), false);
        assertEquals(List.of("cat", "##s"), w.words());
        assertPieces(new double[][] {{0.5}, {1.0}}, w);
        assertEquals("cats", FamilyRules.WORDPIECE.decode(w.words()));
    }

    /** Placeholders start words, are forced, and the word text is the restored force string. */
    @Test
    void placeholdersRestored() {
        ForceTokenMap f = force("\n", ".", "The answer is");
        assertEquals(Set.of("[NEW0]", "[NEW2]"), f.placeholders());
        String[] tokens = {"<unk>", M + "A", "[NEW0]", M + "b", "[NEW2]", M + "4", M + ".", ".", "<unk>"};
        float[] p = {0f, 0.5f, 0.25f, 0.125f, 0.375f, 0.625f, 0.0625f, 0.1875f, 0f};
        ChunkWords w = SP.merge(tokens, p, f, false);
        assertEquals(List.of(M + "A", "\n", M + "b", "The answer is", M + "4", M + ".", "."), w.words());
        // "▁." is forced through its pure form "."; the bare "." too
        assertPieces(new double[][] {{0.5}, {1.0}, {0.125}, {1.0}, {0.625}, {1.0}, {1.0}}, w);
        assertArrayEquals(new double[] {0.5, 0.25, 0.125, 0.375, 0.625, 0.0625, 0.1875}, w.unforcedProbabilities());
        // the restored phrase has no ▁, so it is glued to the previous word when rendered
        assertEquals("A\n bThe answer is 4 ..", FamilyRules.SENTENCEPIECE.decode(w.words()));
    }

    /** §13: a literal [NEWi] that is not in the map is not a word start for XLM-R: glued onto the previous word. */
    @Test
    void unmappedPlaceholderTextIsGlued() {
        ChunkWords w = SP.merge(new String[] {M + "x", "[NEW3]", M + "y"}, new float[] {0.5f, 0.25f, 0.125f},
                force("\n"), false);
        assertEquals(List.of(M + "x[NEW3]", M + "y"), w.words());
        assertPieces(new double[][] {{0.5, 0.25}, {0.125}}, w);
    }

    /** force_reserve_digit: Unicode decimal digits (Python \d), first piece on the word text, later pieces raw. */
    @Test
    void digitRule() {
        String[] tokens = {M + "\u0663", M + "x", "\u00b2", M + "ab", "12", M + "\uFF12"};
        float[] p = {0.5f, 0.25f, 0.125f, 0.375f, 0.0625f, 0.75f};
        ChunkWords on = SP.merge(tokens, p, NO_FORCE, true);
        assertEquals(List.of(M + "\u0663", M + "x\u00b2", M + "ab12", M + "\uFF12"), on.words());
        // "٣" (Arabic-Indic 3) and full-width "２" are Nd; "²" is No, which Python's \d does not match
        assertPieces(new double[][] {{1.0}, {0.25, 0.125}, {0.375, 1.0}, {1.0}}, on);
        assertArrayEquals(new double[] {0.5, 0.25, 0.375, 0.75}, on.unforcedProbabilities());

        ChunkWords off = SP.merge(tokens, p, NO_FORCE, false);
        assertPieces(new double[][] {{0.5}, {0.25, 0.125}, {0.375, 0.0625}, {0.75}}, off);
    }

    @Test
    void containsDigit() {
        assertTrue(WordMerger.containsDigit("a7"));
        assertTrue(WordMerger.containsDigit("\u0663"));
        assertTrue(WordMerger.containsDigit("\uD835\uDFD8")); // U+1D7D8 MATHEMATICAL DOUBLE-STRUCK DIGIT ZERO (Nd)
        assertFalse(WordMerger.containsDigit("\u00b2"));
        assertFalse(WordMerger.containsDigit("\u2167")); // Roman numeral eight (Nl)
        assertFalse(WordMerger.containsDigit("\u4e09")); // 三: numeric in Python but not \d
        assertFalse(WordMerger.containsDigit(""));
        // digits added after Java 17's Unicode 13 are \d in Python 3.14 (Unicode 16.0) and here
        assertTrue(WordMerger.containsDigit("x" + new String(Character.toChars(0x1E4F5)))); // NAG MUNDARI DIGIT FIVE, 15.0
        assertTrue(WordMerger.containsDigit(new String(Character.toChars(0x16D73)))); // KIRAT RAI DIGIT THREE, 16.0
        assertFalse(WordMerger.containsDigit(new String(Character.toChars(0x10585)))); // a letter (14.0)
    }

    /** The wp_nf quirk: the context stage's per-word value is the first piece's raw probability, not a mean. */
    @Test
    void unforcedIsFirstPieceOnly() {
        ChunkWords w = SP.merge(new String[] {M + "a", "b", "c"}, new float[] {0.25f, 1f, 1f}, force("a"), false);
        assertEquals(List.of(M + "abc"), w.words());
        assertPieces(new double[][] {{1.0, 1.0, 1.0}}, w);
        assertEquals(0.25, w.unforcedProbabilities()[0]);
    }

    /** float32 probabilities are widened exactly, not re-rounded through decimal. */
    @Test
    void probabilitiesWidenedFromFloat() {
        ChunkWords w = SP.merge(new String[] {M + "a"}, new float[] {0.1f}, NO_FORCE, false);
        assertEquals((double) 0.1f, w.pieceProbabilities().get(0)[0]);
        assertNotEquals(0.1, w.pieceProbabilities().get(0)[0]);
    }

    /** §6: a leading continuation would crash the reference (index into an empty list); the engine starts a word. */
    @Test
    void leadingContinuationStartsAWord() {
        ChunkWords w = WP.merge(new String[] {"[CLS]", "##ing", "x"}, new float[] {1f, 0.5f, 0.25f}, NO_FORCE, false);
        assertEquals(List.of("##ing", "x"), w.words());
        assertPieces(new double[][] {{0.5}, {0.25}}, w);
    }

    // ---- WordProbability (__token_prob_to_word_prob) ----

    /** mean: left-to-right double sum from 0, then one division: (0.1 + 0.2) + 0.3 = 0.6000000000000001; / 3. */
    @Test
    void meanIsLeftToRightSum() {
        assertEquals(0.20000000000000004, WordProbability.of(new double[] {0.1, 0.2, 0.3}, TokenToWord.MEAN));
        // summing right to left would give 0.6 / 3 = 0.19999999999999998
        assertEquals(0.19999999999999998, WordProbability.of(new double[] {0.3, 0.2, 0.1}, TokenToWord.MEAN));
        assertEquals(0.5, WordProbability.of(new double[] {0.5}, TokenToWord.MEAN));
    }

    @Test
    void firstTakesFirstPiece() {
        assertEquals(0.1, WordProbability.of(new double[] {0.1, 0.9, 0.9}, TokenToWord.FIRST));
        assertEquals(0.5, WordProbability.of(new double[] {0.1, 0.9}, TokenToWord.MEAN));
    }

    @Test
    void perWordList() {
        List<double[]> pieces = List.of(new double[] {1.0, 0.5}, new double[] {0.25});
        assertArrayEquals(new double[] {0.75, 0.25}, WordProbability.of(pieces, TokenToWord.MEAN));
        assertArrayEquals(new double[] {1.0, 0.25}, WordProbability.of(pieces, TokenToWord.FIRST));
    }
}
