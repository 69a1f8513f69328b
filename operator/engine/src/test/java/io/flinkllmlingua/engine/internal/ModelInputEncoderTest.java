package io.flinkllmlingua.engine.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Spec §5.2 (TokenClfDataset model input) on the real fixture tokenizers. */
class ModelInputEncoderTest {
    private static ModelTokenizer wpTok;
    private static ModelTokenizer spTok;
    private static ModelInputEncoder wp;
    private static ModelInputEncoder sp;
    private static Map<String, Integer> wpVocab;
    private static Map<String, Integer> spVocab;

    @BeforeAll
    static void load() {
        wpTok = Fixtures.tokenizer(Fixtures.WORDPIECE);
        spTok = Fixtures.tokenizer(Fixtures.SENTENCEPIECE);
        wp = new ModelInputEncoder(wpTok);
        sp = new ModelInputEncoder(spTok);
        wpVocab = Fixtures.vocab(Fixtures.WORDPIECE);
        spVocab = Fixtures.vocab(Fixtures.SENTENCEPIECE);
    }

    @AfterAll
    static void close() {
        wpTok.close();
        spTok.close();
    }

    private static boolean[] allTrue(int n) {
        boolean[] b = new boolean[n];
        java.util.Arrays.fill(b, true);
        return b;
    }

    /** BERT: [CLS] = 101 + piece ids + [SEP] = 102, everything unmasked. */
    @Test
    void wordPieceBoundaries() {
        ModelInput in = wp.encode(new String[] {"The", "answer", "##ing", "."});
        assertArrayEquals(new int[] {101, wpVocab.get("The"), wpVocab.get("answer"), wpVocab.get("##ing"),
                wpVocab.get("."), 102}, in.ids());
        assertArrayEquals(allTrue(6), in.mask());
        assertEquals(6, in.length());
    }

    /** XLM-R: "[CLS]" / "[SEP]" are not in the vocabulary, so both ends are <unk> = 3, not <s> = 0 / </s> = 2. */
    @Test
    void sentencePieceBoundariesAreUnk() {
        assertNull(spVocab.get("[CLS]"));
        assertNull(spVocab.get("[SEP]"));
        assertEquals(3, spVocab.get("<unk>"));
        ModelInput in = sp.encode(new String[] {"\u2581The", "\u2581answer", "\u2581."});
        assertArrayEquals(new int[] {3, spVocab.get("\u2581The"), spVocab.get("\u2581answer"), spVocab.get("\u2581."), 3},
                in.ids());
        assertArrayEquals(allTrue(5), in.mask());
        assertNotEquals(0, in.ids()[0]);
        assertNotEquals(2, in.ids()[4]);
    }

    @Test
    void emptyChunkIsJustTheBoundaries() {
        assertArrayEquals(new int[] {101, 102}, wp.encode(new String[0]).ids());
        assertArrayEquals(new int[] {3, 3}, sp.encode(new String[0]).ids());
    }

    /** [NEWi] ids are base + i: 672 + i (wordpiece-tiny), 569 + i (sentencepiece-tiny). */
    @Test
    void placeholderIds() {
        assertArrayEquals(new int[] {101, 672, 672 + 7, 672 + 99, 102},
                wp.encode(new String[] {"[NEW0]", "[NEW7]", "[NEW99]"}).ids());
        assertArrayEquals(new int[] {3, 569, 569 + 7, 569 + 99, 3},
                sp.encode(new String[] {"[NEW0]", "[NEW7]", "[NEW99]"}).ids());
    }

    /** Unknown strings (e.g. a surface emoji piece of the Unigram model) map to the unk id. */
    @Test
    void unknownPiecesMapToUnk() {
        assertArrayEquals(new int[] {3, 3, 3}, sp.encode(new String[] {"\uD83D\uDE00"}).ids());
        assertArrayEquals(new int[] {101, 100, 102}, wp.encode(new String[] {"zzz-unknown"}).ids());
    }

    private static String[] pieces(int n) {
        return pieces(n, "The", "answer");
    }

    private static String[] pieces(int n, String even, String odd) {
        String[] p = new String[n];
        for (int i = 0; i < n; i++) {
            p[i] = i % 2 == 0 ? even : odd;
        }
        return p;
    }

    /** 510 pieces: exactly 512 positions with [SEP] last. */
    @Test
    void fullLengthKeepsSep() {
        ModelInput in = wp.encode(pieces(510));
        assertEquals(512, in.length());
        assertEquals(101, in.ids()[0]);
        assertEquals(102, in.ids()[511]);
        assertEquals(wpVocab.get("answer"), in.ids()[510]);
    }

    /** A 511-piece chunk is truncated to 512 strings: [SEP] is dropped. */
    @Test
    void pieces511DropSep() {
        ModelInput in = wp.encode(pieces(511));
        assertEquals(512, in.length());
        assertEquals(101, in.ids()[0]);
        assertEquals(wpVocab.get("The"), in.ids()[511]); // piece 510 (even index)
        for (int id : in.ids()) {
            if (id == 102) {
                throw new AssertionError("[SEP] must be truncated away");
            }
        }
        ModelInput s = sp.encode(pieces(511, "\u2581The", "\u2581answer"));
        assertEquals(512, s.length());
        assertEquals(3, s.ids()[0]);
        assertEquals(spVocab.get("\u2581The"), s.ids()[511]);
    }

    /** Re-tokenisation that grew beyond 510: real pieces are cut, 512 positions remain. */
    @Test
    void pieces515AreCut() {
        String[] p = pieces(515);
        p[510] = "##ing";
        p[511] = ".";
        ModelInput in = wp.encode(p);
        assertEquals(512, in.length());
        assertEquals(in.mask().length, 512);
        assertEquals(wpVocab.get("##ing"), in.ids()[511]);
        assertArrayEquals(allTrue(512), in.mask());
    }

    /** The mask compares strings with "[PAD]": a literal [PAD] piece is masked (BERT id 0; XLM-R: unk 3). */
    @Test
    void literalPadIsMasked() {
        ModelInput in = wp.encode(new String[] {"The", "[PAD]", "answer"});
        assertArrayEquals(new int[] {101, wpVocab.get("The"), 0, wpVocab.get("answer"), 102}, in.ids());
        assertArrayEquals(new boolean[] {true, true, false, true, true}, in.mask());

        ModelInput s = sp.encode(new String[] {"\u2581The", "[PAD]"});
        assertArrayEquals(new int[] {3, spVocab.get("\u2581The"), 3, 3}, s.ids());
        assertArrayEquals(new boolean[] {true, true, false, true}, s.mask());
        // "<pad>" is an ordinary string for the dataset's mask: not masked
        ModelInput x = sp.encode(new String[] {"<pad>"});
        assertEquals(1, x.ids()[1]);
        assertTrue(x.mask()[1]);
    }

    /** End to end from text: BERT tokenizes a literal "[PAD]" as the added token, which the mask then hides. */
    @Test
    void literalPadFromText() {
        String[] pieces = wpTok.tokenize("The [PAD] answer");
        assertArrayEquals(new String[] {"The", "[PAD]", "answer"}, pieces);
        assertArrayEquals(new boolean[] {true, true, false, true, true}, wp.encode(pieces).mask());
    }

    /**
     * Fixture README, "Findings": XLM-R's &lt;mask&gt; has lstrip, so "a &lt;mask&gt; b" yields the string
     * " &lt;mask&gt;", which string-to-id conversion maps to &lt;unk&gt; (not the &lt;mask&gt; id 568).
     */
    @Test
    void lstripMaskMapsToUnk() {
        String[] pieces = spTok.tokenize("a <mask> b");
        assertArrayEquals(new String[] {"\u2581a", " <mask>", "\u2581b"}, pieces);
        assertArrayEquals(new int[] {3, spVocab.get("\u2581a"), 3, spVocab.get("\u2581b"), 3}, sp.encode(pieces).ids());
        assertEquals(568, spVocab.get("<mask>"));
    }

    /** §5.2 table: pad id is the id of the string "[PAD]": 0 for BERT, unk 3 for XLM-R. */
    @Test
    void padIds() {
        assertEquals(0, wp.padId());
        assertEquals(3, sp.padId());
        assertFalse(wpTok.specialTokens().contains("[PAD]"));
    }
}
