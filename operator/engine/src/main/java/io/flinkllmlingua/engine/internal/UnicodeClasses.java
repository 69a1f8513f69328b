package io.flinkllmlingua.engine.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The Unicode classes the reference's regular expressions use, from one fixed Unicode version on every JVM: letters
 * ({@code \p{L}}), numbers ({@code \p{N}}) and decimal digits ({@code \d}). tiktoken's cl100k pattern reads them from
 * the Rust {@code regex} crate (Unicode 16.0 since regex 1.11; tiktoken 0.14 builds with 1.13), Python's {@code re}
 * from its own {@code unicodedata}; Java 17's {@link Character} knows only Unicode 13, where the letters and digits
 * added since are unassigned. The table is a resource generated from ICU4J and checked against it by
 * {@code UnicodeClassesTest}.
 */
public final class UnicodeClasses {
    /** The Unicode version of the table. */
    public static final String UNICODE_VERSION = "16.0";

    private static final BitSet LETTER = new BitSet(Character.MAX_CODE_POINT + 1);
    private static final BitSet NUMBER = new BitSet(Character.MAX_CODE_POINT + 1);
    private static final BitSet DECIMAL = new BitSet(Character.MAX_CODE_POINT + 1);
    /** Ranges (start, end inclusive) of the letters and of the numbers, for regular expressions. */
    private static final List<int[]> LETTER_RANGES = new ArrayList<>();
    private static final List<int[]> NUMBER_RANGES = new ArrayList<>();
    /** Code points whose letter/number class differs in the running JVM's {@link Character} tables. */
    private static final BitSet DIFFERS_FROM_JVM = new BitSet(Character.MAX_CODE_POINT + 1);
    /** No UTF-16 unit below this starts a code point of {@link #DIFFERS_FROM_JVM}: the fast path of the scan. */
    private static final int SCAN_FROM;

    static {
        try (InputStream in = UnicodeClasses.class.getResourceAsStream("unicode-classes.txt")) {
            if (in == null) {
                throw new IllegalStateException("unicode-classes.txt is missing from the engine jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split(" ");
                int start = Integer.parseInt(f[1], 16);
                int end = Integer.parseInt(f[2], 16);
                switch (f[0]) {
                    case "L" -> { LETTER.set(start, end + 1); LETTER_RANGES.add(new int[] {start, end}); }
                    case "N" -> { NUMBER.set(start, end + 1); NUMBER_RANGES.add(new int[] {start, end}); }
                    case "Nd" -> DECIMAL.set(start, end + 1);
                    default -> throw new IllegalStateException("unicode-classes.txt: unknown class in " + line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            if (LETTER.get(cp) != jvmLetter(cp) || NUMBER.get(cp) != jvmNumber(cp)) {
                DIFFERS_FROM_JVM.set(cp);
            }
        }
        int first = DIFFERS_FROM_JVM.nextSetBit(0);
        // A supplementary code point starts with a surrogate unit, smaller than the code point itself.
        SCAN_FROM = first < 0 ? Integer.MAX_VALUE : Math.min(first, Character.MIN_SURROGATE);
    }

    private UnicodeClasses() {}

    /** General category L (Lu, Ll, Lt, Lm, Lo): regex {@code \p{L}}. */
    public static boolean isLetter(int cp) {
        return LETTER.get(cp);
    }

    /** General category N (Nd, Nl, No): regex {@code \p{N}}. */
    public static boolean isNumber(int cp) {
        return NUMBER.get(cp);
    }

    /** General category Nd: Python's {@code \d} on str. */
    public static boolean isDecimalDigit(int cp) {
        return DECIMAL.get(cp);
    }

    /**
     * True when {@code text} holds a code point that this JVM's {@link Character} tables class differently
     * (letter, number or neither) from the table: code that relies on {@link Character} (jtokkit's cl100k parser)
     * is then not the reference for this text.
     */
    public static boolean differsFromJvm(CharSequence text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c < SCAN_FROM) {
                continue;
            }
            int cp = Character.codePointAt(text, i);
            if (DIFFERS_FROM_JVM.get(cp)) {
                return true;
            }
            if (cp > Character.MAX_VALUE) {
                i++;
            }
        }
        return false;
    }

    /** The letters as the body of a regex character class ({@code \x{..}-\x{..}...}). */
    static String letterClassBody() {
        return classBody(LETTER_RANGES);
    }

    /** The numbers as the body of a regex character class. */
    static String numberClassBody() {
        return classBody(NUMBER_RANGES);
    }

    private static String classBody(List<int[]> ranges) {
        StringBuilder sb = new StringBuilder();
        for (int[] r : ranges) {
            sb.append("\\x{").append(Integer.toHexString(r[0])).append('}');
            if (r[1] != r[0]) {
                sb.append("-\\x{").append(Integer.toHexString(r[1])).append('}');
            }
        }
        return sb.toString();
    }

    private static boolean jvmLetter(int cp) {
        int t = Character.getType(cp);
        return t >= Character.UPPERCASE_LETTER && t <= Character.OTHER_LETTER;
    }

    private static boolean jvmNumber(int cp) {
        int t = Character.getType(cp);
        return t >= Character.DECIMAL_DIGIT_NUMBER && t <= Character.OTHER_NUMBER;
    }
}
