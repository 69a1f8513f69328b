package io.flinkllmlingua.engine.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The word split of the reference's no-model path (§7.6): maximal runs of Python {@code \w} characters, or a
 * single character of {@code <>=/!@#$%^&*()?":{}|\`~;_+-}. Python's Unicode {@code \w} is letters, numerics and
 * underscore (not combining marks), which differs from Java's {@code UNICODE_CHARACTER_CLASS}, hence the scan.
 */
public final class PlainWordSplitter {
    private static final String SINGLES = "<>=/!@#$%^&*()?\":{}|\\`~;_+-";

    private PlainWordSplitter() {}

    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            int cp = text.codePointAt(i);
            int len = Character.charCount(cp);
            if (isWordChar(cp)) {
                int j = i + len;
                while (j < n) {
                    int c = text.codePointAt(j);
                    if (!isWordChar(c)) {
                        break;
                    }
                    j += Character.charCount(c);
                }
                out.add(text.substring(i, j));
                i = j;
            } else {
                if (SINGLES.indexOf(cp) >= 0) {
                    out.add(text.substring(i, i + len));
                }
                i += len;
            }
        }
        return out;
    }

    /** Python's {@code str.isalnum() or c == '_'}, which is what {@code \w} matches. */
    static boolean isWordChar(int cp) {
        if (cp == '_') {
            return true;
        }
        switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER:
            case Character.LOWERCASE_LETTER:
            case Character.TITLECASE_LETTER:
            case Character.MODIFIER_LETTER:
            case Character.OTHER_LETTER:
            case Character.DECIMAL_DIGIT_NUMBER:
            case Character.LETTER_NUMBER:
            case Character.OTHER_NUMBER:
                return true;
            default:
                return false;
        }
    }
}
