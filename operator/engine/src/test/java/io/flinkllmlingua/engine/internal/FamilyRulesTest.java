package io.flinkllmlingua.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flinkllmlingua.engine.ModelFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Spec §6 (marker strip, word starts) and §7.5 (decoders). */
class FamilyRulesTest {
    private static final FamilyRules SP = FamilyRules.SENTENCEPIECE;
    private static final FamilyRules WP = FamilyRules.WORDPIECE;
    private static final Set<String> NONE = Set.of();

    @Test
    void familyLookup() {
        assertSame(WP, FamilyRules.of(ModelFamily.WORDPIECE));
        assertSame(SP, FamilyRules.of(ModelFamily.SENTENCEPIECE));
        assertEquals(ModelFamily.WORDPIECE, WP.family());
        assertEquals(ModelFamily.SENTENCEPIECE, SP.family());
    }

    // ---- §7.5 Metaspace decoder ----

    /** §7.5: ["▁A","\n","▁b","▁C","\n"] → "A\n b C\n" (a space follows every forced newline). */
    @Test
    void metaspaceWorkedExample() {
        assertEquals("A\n b C\n", SP.decode(List.of("\u2581A", "\n", "\u2581b", "\u2581C", "\n")));
    }

    @Test
    void metaspaceFirstElementLosesEveryMarker() {
        assertEquals("ab c", SP.decode(List.of("\u2581a\u2581b", "\u2581c")));
        assertEquals("x", SP.decode(List.of("\u2581\u2581x")));
        assertEquals("y z", SP.decode(List.of("y", "\u2581z")));
    }

    @Test
    void metaspaceLaterElementsTurnEveryMarkerIntoSpace() {
        assertEquals("John: So, I've", SP.decode(List.of("\u2581John", ":", "\u2581So", ",", "\u2581I", "'ve")));
        assertEquals("a b  c", SP.decode(List.of("a", "\u2581b\u2581\u2581c")));
        // no other clean-up: a space-separated period survives
        assertEquals("a .", SP.decode(List.of("\u2581a", "\u2581.")));
    }

    @Test
    void emptyListDecodesToEmptyString() {
        assertEquals("", SP.decode(List.of()));
        assertEquals("", WP.decode(List.of()));
    }

    // ---- §7.5 WordPiece decoder ----

    /** §7.5: a space before every other punctuation, none before . ? ! , */
    @Test
    void wordPieceSpacesAndCleanup() {
        assertEquals("John : So, I ' ve", WP.decode(List.of("John", ":", "So", ",", "I", "'", "ve")));
        assertEquals("Hello.?!,", WP.decode(List.of("Hello", ".", "?", "!", ",")));
    }

    @Test
    void wordPieceGluesContinuationRemovingOnlyTheFirstPrefix() {
        assertEquals("playing", WP.decode(List.of("play", "##ing")));
        assertEquals("a##b", WP.decode(List.of("a", "####b")));
        // element 0 keeps its ## (the decoder only strips after the first token)
        assertEquals("##s x", WP.decode(List.of("##s", "x")));
    }

    @Test
    void wordPieceContractionCleanups() {
        assertEquals("don't", WP.decode(List.of("do", "n't")));
        assertEquals("I'm", WP.decode(List.of("I", "'m")));
        assertEquals("it's", WP.decode(List.of("it", "'s")));
        assertEquals("we've", WP.decode(List.of("we", "'ve")));
        assertEquals("they're", WP.decode(List.of("they", "'re")));
        assertEquals("I don't", WP.decode(List.of("I", "do not")));
        assertEquals("x'y", WP.decode(List.of("x", "' y")));
    }

    /** Clean-ups apply per element, so separate words "do" "not" or "'" "ve" are not merged. */
    @Test
    void wordPieceCleanupIsPerElement() {
        assertEquals("I do not", WP.decode(List.of("I", "do", "not")));
        assertEquals("I ' ve", WP.decode(List.of("I", "'", "ve")));
        assertEquals("I ' m", WP.decode(List.of("I", "'", "m")));
        // inside one element (a restored force string) the clean-ups do apply
        assertEquals("a b. c", WP.decode(List.of("a", "b . c")));
    }

    /**
     * The decoder as §7.5 defines it, element by element: after the first, strip one "##" or prepend a space, then
     * apply every clean-up. WordPieceRules.decode skips the clean-ups where none can match; it must agree.
     */
    private static String decodeBySpec(List<String> tokens) {
        String[][] cleanups = {{" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
            {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (i != 0) {
                t = t.startsWith("##") ? t.substring(2) : " " + t;
            }
            for (String[] c : cleanups) {
                t = t.replace(c[0], c[1]);
            }
            out.append(t);
        }
        return out.toString();
    }

    @Test
    void wordPieceDecodeAgreesWithTheSpecOnRandomElements() {
        List<String> alphabet = List.of(".", "?", "!", ",", "'", "n't", "'m", "'s", "'ve", "'re", "do", "not",
                "do not", "' ", " ", "", "##", "##.", "###", "a b", "x", "new", "re", "ma", "., ", "\u3002", "d", "n");
        Random random = new Random(14);
        for (int run = 0; run < 20_000; run++) {
            List<String> tokens = new ArrayList<>();
            int n = random.nextInt(7);
            for (int k = 0; k < n; k++) {
                tokens.add(alphabet.get(random.nextInt(alphabet.size())));
            }
            assertEquals(decodeBySpec(tokens), WP.decode(tokens), tokens.toString());
        }
    }

    @Test
    void wordPieceSpacesCjkCharacters() {
        assertEquals("新 闻 。", WP.decode(List.of("新", "闻", "。")));
    }

    // ---- §6 marker strip ----

    @Test
    void markerStripRemovesAllLeadingMarkers() {
        assertEquals("ing", WP.stripMarker("##ing"));
        assertEquals("a", WP.stripMarker("###a"));
        assertEquals("", WP.stripMarker("##"));
        assertEquals("", WP.stripMarker("#"));
        assertEquals("a##", WP.stripMarker("a##"));
        assertEquals("x", SP.stripMarker("\u2581\u2581x"));
        assertEquals("x\u2581", SP.stripMarker("x\u2581"));
        assertEquals("", SP.stripMarker("\u2581"));
        assertEquals("##a", SP.stripMarker("##a"));
        assertEquals("\u2581a", WP.stripMarker("\u2581a"));
    }

    @Test
    void labelText() {
        assertEquals("John", SP.labelText("\u2581John"));
        assertEquals("\n", SP.labelText("\n"));
        assertEquals("##s", WP.labelText("##s"));
    }

    // ---- §6 word starts, SentencePiece ----

    @Test
    void pythonPunctuationConstant() {
        assertEquals("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", FamilyRules.PYTHON_PUNCTUATION);
        assertEquals(32, FamilyRules.PYTHON_PUNCTUATION.length());
    }

    /** Substring semantics on string.punctuation: these start words although they carry no ▁. */
    @ParameterizedTest
    @ValueSource(strings = {"(", "()", "/:", "<=>", "{|}", "", "'", "!", ",", ".", "[\\]", "~"})
    void sentencePiecePunctuationSubstringsStartWords(String token) {
        assertTrue(SP.startsNewWord(token, NONE, NONE), token);
    }

    /** Not substrings of string.punctuation and without ▁: continuation pieces unless forced. */
    @ParameterizedTest
    @ValueSource(strings = {"...", "--", "##", ")(", "ve", "s", "。", "：", "[NEW0]", "a\u2581"})
    void sentencePieceNonStarts(String token) {
        assertFalse(SP.startsNewWord(token, NONE, NONE), token);
        assertTrue(SP.startsNewWord(token, Set.of(token), NONE), token + " forced");
        assertTrue(SP.startsNewWord(token, NONE, Set.of(token)), token + " as placeholder");
    }

    /** "▁." fails the punctuation test (it is not a substring) but starts a word through its ▁. */
    @Test
    void sentencePieceMarkerStartsWord() {
        assertFalse(FamilyRules.PYTHON_PUNCTUATION.contains("\u2581."));
        assertTrue(SP.startsNewWord("\u2581.", NONE, NONE));
        assertTrue(SP.startsNewWord("\u2581", NONE, NONE));
        assertTrue(SP.startsNewWord("\u2581The", NONE, NONE));
    }

    /** The SentencePiece force test is on the raw token, not the marker-stripped one. */
    @Test
    void sentencePieceForceTestUsesRawToken() {
        assertTrue(SP.startsNewWord("ing", Set.of("ing"), NONE));
        assertFalse(SP.startsNewWord("ing", Set.of("\u2581ing"), NONE));
    }

    // ---- §6 word starts, WordPiece ----

    @Test
    void wordPieceContinuation() {
        assertFalse(WP.startsNewWord("##ing", NONE, NONE));
        assertFalse(WP.startsNewWord("###", NONE, NONE));
        assertTrue(WP.startsNewWord("ing", NONE, NONE));
        assertTrue(WP.startsNewWord("#", NONE, NONE));
        assertTrue(WP.startsNewWord("'", NONE, NONE));
        // punctuation gets no special treatment in WordPiece: a non-## piece simply starts a word
        assertTrue(WP.startsNewWord("...", NONE, NONE));
    }

    /** The WordPiece force/placeholder test is on the marker-stripped token. */
    @Test
    void wordPieceForceAfterStripping() {
        assertTrue(WP.startsNewWord("##s", Set.of("s"), NONE));
        assertFalse(WP.startsNewWord("##s", Set.of("##s"), NONE));
        assertTrue(WP.startsNewWord("##[NEW3]", NONE, Set.of("[NEW3]")));
        assertFalse(WP.startsNewWord("##[NEW3]", NONE, Set.of("[NEW4]")));
    }
}
