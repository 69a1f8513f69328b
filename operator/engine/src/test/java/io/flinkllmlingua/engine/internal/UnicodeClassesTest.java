package io.flinkllmlingua.engine.internal;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UProperty;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's Unicode table ({@code unicode-classes.txt}) is exactly ICU4J's general categories for the Unicode
 * version it names. To regenerate it (a new Unicode version: bump the ICU4J test dependency and
 * {@link UnicodeClasses#UNICODE_VERSION}), run this test: on a mismatch it writes the expected file to
 * {@code target/unicode-classes.txt}; copy it over {@code src/main/resources/io/flinkllmlingua/engine/internal/}.
 */
class UnicodeClassesTest {

    /** The table as ICU4J computes it: one line per range of each class. */
    static String expectedTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("# General categories of Unicode ").append(UCharacter.getUnicodeVersion().getMajor()).append('.')
                .append(UCharacter.getUnicodeVersion().getMinor())
                .append(" used by the engine: L = Lu Ll Lt Lm Lo, N = Nd Nl No, Nd.\n")
                .append("# Generated from ICU4J by UnicodeClassesTest (engine tests); do not edit by hand.\n");
        appendRanges(sb, "L", cp -> { int t = UCharacter.getType(cp); return t >= 1 && t <= 5; });
        appendRanges(sb, "N", cp -> { int t = UCharacter.getType(cp); return t >= 9 && t <= 11; });
        appendRanges(sb, "Nd", cp -> UCharacter.getType(cp) == UCharacter.DECIMAL_DIGIT_NUMBER);
        return sb.toString();
    }

    private static void appendRanges(StringBuilder sb, String name, java.util.function.IntPredicate in) {
        int start = -1;
        for (int cp = 0; cp <= Character.MAX_CODE_POINT + 1; cp++) {
            boolean member = cp <= Character.MAX_CODE_POINT && in.test(cp);
            if (member && start < 0) {
                start = cp;
            } else if (!member && start >= 0) {
                sb.append(String.format("%s %04X %04X\n", name, start, cp - 1));
                start = -1;
            }
        }
    }

    @Test
    void tableIsIcuForItsUnicodeVersion() throws IOException {
        String expected = expectedTable();
        String actual;
        try (InputStream in = UnicodeClasses.class.getResourceAsStream("unicode-classes.txt")) {
            actual = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!expected.equals(actual)) {
            Path out = Path.of("target", "unicode-classes.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, expected);
            assertEquals(expected, actual, "the table differs from ICU4J; the expected one is in " + out.toAbsolutePath());
        }
        String icuVersion = UCharacter.getUnicodeVersion().getMajor() + "." + UCharacter.getUnicodeVersion().getMinor();
        assertEquals(UnicodeClasses.UNICODE_VERSION, icuVersion, "the declared version is ICU4J's");
    }

    @Test
    void classesMatchIcuOnEveryCodePoint() {
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            int t = UCharacter.getType(cp);
            assertEquals(t >= 1 && t <= 5, UnicodeClasses.isLetter(cp), Integer.toHexString(cp));
            assertEquals(t >= 9 && t <= 11, UnicodeClasses.isNumber(cp), Integer.toHexString(cp));
            assertEquals(t == UCharacter.DECIMAL_DIGIT_NUMBER, UnicodeClasses.isDecimalDigit(cp), Integer.toHexString(cp));
        }
    }

    @Test
    void pythonWordCharactersAreLettersAndNumbers() {
        // Python's \w is str.isalnum() or '_': alphabetic (L*) or any character with a numeric type. The engine
        // reads it as L or N; that is the same set when every numeric-type character is a letter or a number.
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            boolean numericType = UCharacter.getIntPropertyValue(cp, UProperty.NUMERIC_TYPE) != UCharacter.NumericType.NONE;
            boolean python = UnicodeClasses.isLetter(cp) || numericType;
            assertEquals(python, UnicodeClasses.isLetter(cp) || UnicodeClasses.isNumber(cp), Integer.toHexString(cp));
        }
    }

    @Test
    void javaWhitespaceClassIsUnicodeWhiteSpace() {
        // The cl100k pattern's \s is the Unicode White_Space property (Rust regex); Java's \s under
        // UNICODE_CHARACTER_CLASS reads its own tables, which agree because White_Space has not changed since 6.3.
        Pattern space = Pattern.compile("\\s", Pattern.UNICODE_CHARACTER_CLASS);
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            boolean icu = UCharacter.hasBinaryProperty(cp, UProperty.WHITE_SPACE);
            assertEquals(icu, space.matcher(new String(Character.toChars(cp))).matches(), Integer.toHexString(cp));
        }
    }

    @Test
    void newerLettersAndNumbersAreClassified() {
        assertTrue(UnicodeClasses.isLetter(0x10585), "VITHKUQI CAPITAL LETTER NE (14.0)");
        assertTrue(UnicodeClasses.isLetter(0x11380), "TULU-TIGALARI LETTER A (16.0)");
        assertTrue(UnicodeClasses.isDecimalDigit(0x1E4F0), "NAG MUNDARI DIGIT ZERO (15.0)");
        assertTrue(UnicodeClasses.isDecimalDigit(0x16130), "GURUNG KHEMA DIGIT ZERO (16.0)");
        assertFalse(UnicodeClasses.isLetter('1'));
        assertFalse(UnicodeClasses.isNumber('a'));
        assertTrue(UnicodeClasses.differsFromJvm("a\uD801\uDD85"), "U+10585 is unassigned in Java 17");
        assertFalse(UnicodeClasses.differsFromJvm("plain ASCII, é and 漢字"));
    }
}
