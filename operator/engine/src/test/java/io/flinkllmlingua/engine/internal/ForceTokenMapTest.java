package io.flinkllmlingua.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Spec §4.1 (force-token map), §4.2 (chunk-end set), §4.3 step 2 (sequential substitution), restoration. */
class ForceTokenMapTest {
    private static final List<String> DEFAULT_ENDS = List.of(".", "\n");
    private static ModelTokenizer sp;
    private static ModelTokenizer wp;

    @BeforeAll
    static void load() {
        sp = Fixtures.tokenizer(Fixtures.SENTENCEPIECE);
        wp = Fixtures.tokenizer(Fixtures.WORDPIECE);
    }

    @AfterAll
    static void close() {
        sp.close();
        wp.close();
    }

    private static ForceTokenMap build(List<String> force, ModelTokenizer tok) {
        return ForceTokenMap.build(force, DEFAULT_ENDS, tok::pieceCount);
    }

    private static List<Map.Entry<String, String>> entries(ForceTokenMap m) {
        return new ArrayList<>(m.mapping().entrySet());
    }

    /** §4.1 example: ["\n", ".", "The answer is"] → {"\n": "[NEW0]", "The answer is": "[NEW2]"}. */
    @Test
    void specExample() {
        for (ModelTokenizer tok : List.of(sp, wp)) {
            ForceTokenMap m = build(List.of("\n", ".", "The answer is"), tok);
            assertEquals(List.of(Map.entry("\n", "[NEW0]"), Map.entry("The answer is", "[NEW2]")), entries(m));
            assertEquals(Set.of("[NEW0]", "[NEW2]"), m.placeholders());
            assertEquals(Set.of("\n", ".", "The answer is"), m.forceTokens());
        }
    }

    /** The placeholder index is the list position, not a running count of mapped tokens. */
    @Test
    void indexIsListPosition() {
        ForceTokenMap m = build(List.of(".", "?", "!", "Question:"), sp);
        assertEquals(List.of(Map.entry("Question:", "[NEW3]")), entries(m));
        assertEquals("[NEW9]", ForceTokenMap.placeholder(9));
    }

    /** A duplicate later entry overwrites the value but keeps the first position (Python dict). */
    @Test
    void duplicateKeepsFirstPositionWithLastValue() {
        ForceTokenMap m = build(List.of("\n", "Question:", "\n"), sp);
        assertEquals(List.of(Map.entry("\n", "[NEW2]"), Map.entry("Question:", "[NEW1]")), entries(m));
        assertEquals(Set.of("[NEW2]", "[NEW1]"), m.placeholders());
        assertNull(m.forceOf("[NEW0]"));
        assertEquals("\n", m.forceOf("[NEW2]"));
        assertEquals(new LinkedHashSet<>(List.of(".", "\n", "[NEW2]")), m.chunkEndTokens());
    }

    /** §4.2: the chunk-end set gains the placeholder of each mapped chunk-end token. */
    @Test
    void chunkEndExtension() {
        ForceTokenMap m = build(List.of("\n", ".", "!", "?"), sp);
        assertEquals(Set.of(".", "\n", "[NEW0]"), m.chunkEndTokens());
        ForceTokenMap none = build(List.of(), sp);
        assertEquals(Set.of(".", "\n"), none.chunkEndTokens());
        assertTrue(none.isEmpty());
        ForceTokenMap custom = ForceTokenMap.build(List.of("a b", "\n"), List.of("a b", ";"), sp::pieceCount);
        assertEquals(Set.of("a b", ";", "[NEW0]"), custom.chunkEndTokens());
    }

    /** §4.3 step 2: plain global replacement, in insertion order. */
    @Test
    void substituteAllOccurrencesLiterally() {
        ForceTokenMap m = build(List.of("\n", ".", "The answer is"), sp);
        assertEquals("a[NEW0][NEW0]b. [NEW2] 4.[NEW0]", m.substitute("a\n\nb. The answer is 4.\n"));
        // regex metacharacters are literal
        ForceTokenMap meta = build(List.of("a.*b"), sp);
        assertEquals(List.of(Map.entry("a.*b", "[NEW0]")), entries(meta));
        assertEquals("axxb [NEW0]", meta.substitute("axxb a.*b"));
    }

    /** An earlier replacement destroys a later key's occurrence. */
    @Test
    void earlierReplacementDestroysLaterKey() {
        ForceTokenMap m = build(List.of("a b", "b c"), sp);
        assertEquals(List.of(Map.entry("a b", "[NEW0]"), Map.entry("b c", "[NEW1]")), entries(m));
        assertEquals("[NEW0] c", m.substitute("a b c"));
        assertEquals("x [NEW1]", m.substitute("x b c"));
        ForceTokenMap reversed = build(List.of("b c", "a b"), sp);
        assertEquals("a [NEW0]", reversed.substitute("a b c"));
    }

    @Test
    void restore() {
        ForceTokenMap m = build(List.of("\n", ".", "The answer is"), sp);
        assertEquals("\nx The answer is", m.restore("[NEW0]x [NEW2]"));
        assertEquals("[NEW1] stays", m.restore("[NEW1] stays"));
        assertEquals("plain", m.restore("plain"));
        String text = "Q\nThe answer is 4.\n";
        assertEquals(text, m.restore(m.substitute(text)));
        assertEquals("The answer is", m.forceOf("[NEW2]"));
        assertNull(m.forceOf("[NEW1]"));
    }

    @Test
    void viewsAreUnmodifiable() {
        ForceTokenMap m = build(List.of("\n"), sp);
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                () -> m.mapping().put("x", "y"));
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                () -> m.chunkEndTokens().add("x"));
    }

    /** SubstitutedText.plain is the sequential substitution; the tracked form maps placeholders to the force span. */
    @Test
    void substitutedTextOrigins() {
        ForceTokenMap m = build(List.of("\n", "The answer is"), sp);
        String original = "Hi\nThe answer is 4";
        SubstitutedText plain = SubstitutedText.plain(original, m);
        SubstitutedText tracked = SubstitutedText.tracked(original, m);
        assertEquals("Hi[NEW0][NEW1] 4", plain.text());
        assertEquals(plain.text(), tracked.text());
        int at = tracked.text().indexOf("[NEW1]");
        assertEquals(3, tracked.originStart(at));
        assertEquals(16, tracked.originEnd(at + 6));
        int nl = tracked.text().indexOf("[NEW0]");
        assertEquals(2, tracked.originStart(nl));
        assertEquals(3, tracked.originEnd(nl + 6));
        assertEquals(17, tracked.originStart(tracked.text().indexOf('4')));
    }
}
