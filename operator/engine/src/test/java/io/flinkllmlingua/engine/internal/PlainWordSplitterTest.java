package io.flinkllmlingua.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Spec §7.6: Python {@code re.findall(r"\b\w+\b|[<>=/!@#$%^&*()?\":{}|\\`~;_+-]", text)} with Python's Unicode
 * {@code \w} (str.isalnum() or "_"). Expected lists are what that Python expression returns.
 */
class PlainWordSplitterTest {

    @Test
    void wordRunsAndSingleCharacters() {
        assertEquals(List.of("Hello", "world", "!", "(", "x", "+", "y", ")", "=", "z"),
                PlainWordSplitter.split("Hello, world! (x+y)=z."));
    }

    /** Characters outside \w and outside the set (, . ' [ ] whitespace) are dropped. */
    @Test
    void otherPunctuationIsDropped() {
        assertEquals(List.of("a", "b", "c", ";", "d", "e"), PlainWordSplitter.split("a.b,c;d'e"));
        assertEquals(List.of("_", "a_b", "-", "-", "x", "it", "s"), PlainWordSplitter.split("_ a_b -- [x] it's"));
        assertEquals(List.of(), PlainWordSplitter.split(" \n\t.,'[]"));
        assertEquals(List.of(), PlainWordSplitter.split(""));
    }

    /** The whole single-character set, backslash and backtick included, one entry per character. */
    @Test
    void singleCharacterSet() {
        String set = "<>=/!@#$%^&*()?\":{}|\\`~;+-";
        List<String> out = PlainWordSplitter.split(set);
        assertEquals(set.length(), out.size());
        for (int i = 0; i < set.length(); i++) {
            assertEquals(String.valueOf(set.charAt(i)), out.get(i));
        }
        assertEquals(List.of("a", "\\", "b", "`", "c"), PlainWordSplitter.split("a\\b`c"));
        assertEquals(List.of("<", "|", "endoftext", "|", ">"), PlainWordSplitter.split("<|endoftext|>"));
    }

    @Test
    void unicodeLettersAndDigits() {
        assertEquals(List.of("café", "naïve"), PlainWordSplitter.split("café naïve"));
        // CJK letters form one run; full-width "：" and "。" are neither \w nor in the set
        assertEquals(List.of("新闻内容", "类别"), PlainWordSplitter.split("新闻内容。类别："));
        assertEquals(List.of("x٣y"), PlainWordSplitter.split("x\u0663y"));
        assertEquals(List.of("The"), PlainWordSplitter.split("\u2581The"));
    }

    /** "²" is No: numeric in Python, hence \w; so are letter numbers (Nl) like "Ⅷ". */
    @Test
    void numericCharactersAreWordCharacters() {
        assertEquals(List.of("x²"), PlainWordSplitter.split("x\u00b2"));
        assertEquals(List.of("Ⅷ三"), PlainWordSplitter.split("\u2167\u4e09"));
        assertEquals(List.of("½"), PlainWordSplitter.split("\u00bd"));
    }

    /** Combining marks (Mn) are not \w in Python: a decomposed "é" splits the word (Java's \w would not). */
    @Test
    void combiningMarksSplitWords() {
        assertEquals(List.of("e", "a"), PlainWordSplitter.split("e\u0301a"));
        assertEquals(List.of("cafe"), PlainWordSplitter.split("cafe\u0301"));
        assertFalse(PlainWordSplitter.isWordChar(0x0301));
    }

    /** Supplementary characters are handled as code points. */
    @Test
    void supplementaryCharacters() {
        assertEquals(List.of("a\uD835\uDFD8b", "a", "b"), PlainWordSplitter.split("a\uD835\uDFD8b a\uD83D\uDE00b"));
        assertTrue(PlainWordSplitter.isWordChar(0x1D7D8));
        assertFalse(PlainWordSplitter.isWordChar(0x1F600));
    }

    @Test
    void wordCharClasses() {
        assertTrue(PlainWordSplitter.isWordChar('_'));
        assertTrue(PlainWordSplitter.isWordChar('Z'));
        assertTrue(PlainWordSplitter.isWordChar(0x02B0)); // modifier letter (Lm)
        assertTrue(PlainWordSplitter.isWordChar(0x01C5)); // titlecase (Lt)
        assertFalse(PlainWordSplitter.isWordChar('-'));
        assertFalse(PlainWordSplitter.isWordChar(0x00A0));
        assertFalse(PlainWordSplitter.isWordChar(0x200D)); // zero-width joiner (Cf)
    }

    /** Letters and numbers added after Java 17's Unicode 13 are word characters (Python 3.14: Unicode 16.0). */
    @Test
    void newerLettersAndNumbersAreWordCharacters() {
        String vithkuqi = new String(Character.toChars(0x10585));   // VITHKUQI CAPITAL LETTER NE, 14.0
        String kawiDigit = new String(Character.toChars(0x11F52));  // KAWI DIGIT TWO, 15.0
        String garayDigit = new String(Character.toChars(0x10D40)); // GARAY DIGIT ZERO, 16.0
        assertEquals(List.of("a" + vithkuqi + "b" + kawiDigit + garayDigit, "x"),
                PlainWordSplitter.split("a" + vithkuqi + "b" + kawiDigit + garayDigit + ".x"));
    }
}
