package io.flinkllmlingua.engine.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.flinkllmlingua.engine.InvalidRequestException;
import io.flinkllmlingua.engine.SpecialTokenPolicy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Spec §2 step 1 (cl100k_base), §7.3 step 1 (word weights), §4.3 (special-token strings). */
class TokenCounterTest {
    private static TokenCounter counter;

    @BeforeAll
    static void init() {
        counter = new TokenCounter();
    }

    /** §7.3: the ▁ alone costs 2 cl100k tokens, so "▁The" is 3 while "The" is 1; "\n" is 1. */
    @Test
    void wordCounts() {
        assertEquals(3, counter.countWord("\u2581The"));
        assertEquals(1, counter.countWord("The"));
        assertEquals(1, counter.countWord("\n"));
        assertEquals(2, counter.countWord("\u2581"));
        assertEquals(0, counter.countWord(""));
        // cached and uncached (long) words agree with the text count
        String longWord = "\u2581Supercalifragilisticexpialidocious-and-more-text";
        assertEquals(counter.count(longWord, SpecialTokenPolicy.REJECT), counter.countWord(longWord));
        assertEquals(3, counter.countWord("\u2581The"));
    }

    /**
     * Every counter shares one cl100k_base encoding: counters built apart, used from many threads at once, count a
     * set of texts as one counter does on one thread (jtokkit's own encoding, built here, is the reference).
     */
    @Test
    void countersSharingTheEncodingCountAlikeFromManyThreads() throws Exception {
        Encoding reference = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            texts.add("Chunk " + i + ": the operator's model calls, \u00e9t\u00e9 " + "x".repeat(i % 37) + " \u4e2d\u6587 " + i * 7919);
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<int[]>> counts = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                TokenCounter own = new TokenCounter();
                counts.add(pool.submit(() -> texts.stream()
                        .mapToInt(x -> own.count(x, SpecialTokenPolicy.REJECT) + own.countWord(x)).toArray()));
            }
            int[] expected = texts.stream().mapToInt(x -> 2 * reference.countTokensOrdinary(x)).toArray();
            for (Future<int[]> f : counts) {
                assertArrayEquals(expected, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** §8.4: a placeholder alone is 4 cl100k tokens. */
    @Test
    void placeholderCount() {
        assertEquals(4, counter.count("[NEW0]", SpecialTokenPolicy.REJECT));
    }

    @Test
    void textCounts() {
        assertEquals(0, counter.count("", SpecialTokenPolicy.REJECT));
        assertEquals(2, counter.count("Hello world", SpecialTokenPolicy.REJECT));
        assertEquals(counter.count("Hello world", SpecialTokenPolicy.REJECT),
                counter.count("Hello world", SpecialTokenPolicy.COUNT_AS_TEXT));
    }

    /** tiktoken's encode raises on special-token strings; the reference's message is kept. */
    @ParameterizedTest
    @ValueSource(strings = {"<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>"})
    void specialTokensRejected(String special) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> counter.count("hello " + special + " world", SpecialTokenPolicy.REJECT));
        assertTrue(e.getMessage().startsWith("The text contains a special token that is not allowed: " + special),
                e.getMessage());
    }

    /** COUNT_AS_TEXT counts the special string as ordinary text (several tokens, not the single special id). */
    @Test
    void specialTokensCountedAsText() {
        int n = counter.count("<|endoftext|>", SpecialTokenPolicy.COUNT_AS_TEXT);
        assertTrue(n > 1, "counted as " + n);
        int withContext = counter.count("hello <|endoftext|> world", SpecialTokenPolicy.COUNT_AS_TEXT);
        assertTrue(withContext > n, "counted as " + withContext);
    }

    /** Near misses are ordinary text under REJECT. */
    @Test
    void nearMissesAccepted() {
        assertDoesNotThrow(() -> counter.count("<|endoftext", SpecialTokenPolicy.REJECT));
        assertDoesNotThrow(() -> counter.count("< |endoftext|>", SpecialTokenPolicy.REJECT));
        assertDoesNotThrow(() -> counter.count("<|im_start|>", SpecialTokenPolicy.REJECT));
    }

    // ---- letters and numbers newer than Java 17's Unicode 13 (tiktoken: the regex crate's Unicode 16.0) ----

    private static Map<ByteBuffer, Integer> ranks;

    /** The cl100k ranks, read independently of the counter (the same file as jtokkit's resource). */
    private static synchronized Map<ByteBuffer, Integer> ranks() throws IOException {
        if (ranks == null) {
            Map<ByteBuffer, Integer> m = new HashMap<>();
            try (InputStream in = Encoding.class.getResourceAsStream("/com/knuddels/jtokkit/cl100k_base.tiktoken")) {
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
                for (String line; (line = r.readLine()) != null; ) {
                    String[] f = line.split(" ");
                    m.put(ByteBuffer.wrap(Base64.getDecoder().decode(f[0])), Integer.parseInt(f[1]));
                }
            }
            ranks = m;
        }
        return ranks;
    }

    /** tiktoken's byte-pair merge of one piece: merge the adjacent pair of lowest rank until none is a token. */
    private static int bpeCount(String piece) throws IOException {
        Map<ByteBuffer, Integer> r = ranks();
        List<byte[]> parts = new ArrayList<>();
        for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
            parts.add(new byte[] {b});
        }
        while (parts.size() > 1) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < parts.size(); i++) {
                Integer rank = r.get(ByteBuffer.wrap(concat(parts.get(i), parts.get(i + 1))));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            parts.set(best, concat(parts.get(best), parts.remove(best + 1)));
        }
        return parts.size();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Sum of the BPE counts of pieces split by hand as tiktoken's cl100k pattern splits them. */
    private static int expected(String... pieces) throws IOException {
        int n = 0;
        for (String p : pieces) {
            n += bpeCount(p);
        }
        return n;
    }

    private static String cp(int codePoint) {
        return new String(Character.toChars(codePoint));
    }

    /**
     * A letter of Unicode 14-16 continues a run of letters ({@code \p{L}++}): one piece with the letters before and
     * after it. Java 17 has these code points unassigned, so jtokkit's parser cuts the run there; the counts differ.
     */
    @Test
    void newerLettersJoinTheirWord() throws IOException {
        Encoding jtokkit = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
        String vithkuqi = cp(0x10585);          // VITHKUQI CAPITAL LETTER NE, Unicode 14.0
        String tuluTigalari = cp(0x11380);      // TULU-TIGALARI LETTER A, Unicode 16.0
        String garayVowel = cp(0x10D4A);        // GARAY VOWEL SIGN A (Lo), Unicode 16.0
        String cjkExtI = cp(0x2EBF0);           // CJK UNIFIED IDEOGRAPH-2EBF0, Unicode 15.1
        String[][] cases = {
            {"a" + vithkuqi, "a" + vithkuqi},
            {"x" + vithkuqi + "y", "x" + vithkuqi + "y"},
            {"Hello " + vithkuqi + "world", "Hello", " " + vithkuqi + "world"},
            {"ab" + tuluTigalari + "cd", "ab" + tuluTigalari + "cd"},
            {"go" + garayVowel, "go" + garayVowel},
            {"\u6f22" + cjkExtI + "\u5b57", "\u6f22" + cjkExtI + "\u5b57"},
            // the optional leading non-letter of [^\r\n\p{L}\p{N}]?+\p{L}++ attaches to the new letter
            {"(" + vithkuqi + "a)", "(" + vithkuqi + "a", ")"},
            // a contraction after the letter is its own piece; jtokkit glues the apostrophe to the "non-letter"
            // and counts one more (6, 6, 5, 4 instead of 5, 5, 4, 3)
            {vithkuqi + "'s", vithkuqi, "'s"},
            {"a" + vithkuqi + "'ll", "a" + vithkuqi, "'ll"},
            {cjkExtI + "'re", cjkExtI, "'re"},
            {cp(0x0870) + "'d", cp(0x0870), "'d"},  // ARABIC LETTER ALEF WITH ATTACHED FATHA, Unicode 14.0
        };
        boolean anyDiffers = false;
        for (String[] c : cases) {
            String text = c[0];
            String[] pieces = java.util.Arrays.copyOfRange(c, 1, c.length);
            int want = expected(pieces);
            assertEquals(want, counter.count(text, SpecialTokenPolicy.REJECT), text);
            assertEquals(want, counter.countWord(text), text);
            anyDiffers |= jtokkit.countTokensOrdinary(text) != want;
        }
        assertTrue(anyDiffers, "the cases exercise the Unicode 13 / 16 difference");
    }

    /** Numbers of Unicode 14-16 are \p{N}: groups of at most three numbers ({@code \p{N}{1,3}+}). */
    @Test
    void newerNumbersGroupByThree() throws IOException {
        Encoding jtokkit = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
        String tangsa0 = cp(0x16AC0);           // TANGSA DIGIT ZERO, Unicode 14.0
        String nagMundari1 = cp(0x1E4F1);       // NAG MUNDARI DIGIT ONE, Unicode 15.0
        String kawi2 = cp(0x11F52);             // KAWI DIGIT TWO, Unicode 15.0
        String gurungKhema3 = cp(0x16133);      // GURUNG KHEMA DIGIT THREE, Unicode 16.0
        String outlined4 = cp(0x1CCF4);         // OUTLINED DIGIT FOUR, Unicode 16.0
        String[][] cases = {
            {"1" + tangsa0 + "2", "1" + tangsa0 + "2"},
            {"12" + nagMundari1 + "34", "12" + nagMundari1, "34"},
            {kawi2 + gurungKhema3 + outlined4 + "5", kawi2 + gurungKhema3 + outlined4, "5"},
            {"x" + gurungKhema3, "x", gurungKhema3},
            {"a 7" + outlined4, "a", " ", "7" + outlined4},
            {tangsa0 + "'s", tangsa0, "'s"},
            {"12" + gurungKhema3 + "'ve", "12" + gurungKhema3, "'ve"},
        };
        boolean anyDiffers = false;
        for (String[] c : cases) {
            String text = c[0];
            int want = expected(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertEquals(want, counter.count(text, SpecialTokenPolicy.REJECT), text);
            anyDiffers |= jtokkit.countTokensOrdinary(text) != want;
        }
        assertTrue(anyDiffers, "the cases exercise the Unicode 13 / 16 difference");
    }

    /** Texts without such code points keep the fast parser, whose counts the reference vectors already check. */
    @Test
    void textsWithoutNewerCodePointsCountAsBefore() throws IOException {
        Encoding jtokkit = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
        for (String text : new String[] {"Hello world, it's 2024!\n\n  ok", "\u6f22\u5b57 caf\u00e9 \ud83d\ude00",
                "I'll say 'Sd' \t\r\n  x  "}) {
            assertEquals(jtokkit.countTokensOrdinary(text), counter.count(text, SpecialTokenPolicy.REJECT), text);
            assertEquals(jtokkit.countTokensOrdinary(text), TokenCounter.UnicodeCl100k.ENCODING.countTokensOrdinary(text),
                    "tiktoken's pattern over the table agrees with the fast parser on " + text);
        }
        assertEquals(expected("Hello", " world", ",", " it", "'s", " ", "202", "4", "!\n\n", " ", " ok"),
                counter.count("Hello world, it's 2024!\n\n  ok", SpecialTokenPolicy.REJECT));
    }
}
