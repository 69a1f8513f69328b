package io.flinkllmlingua.engine.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The word split of the reference's no-model path (§7.6): maximal runs of Python {@code \w} characters, or a
 * single character of {@code <>=/!@#$%^&*()?":{}|\`~;_+-}. Python's Unicode {@code \w} is letters, numerics and
 * underscore (not combining marks), which differs from Java's {@code UNICODE_CHARACTER_CLASS}, hence the scan over
 * {@link UnicodeClasses} (Unicode {@value UnicodeClasses#UNICODE_VERSION}, not this JVM's tables).
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

    /**
     * Python's {@code str.isalnum() or c == '_'}, which is what {@code \w} matches: letters and numbers, read from
     * the engine's Unicode table (Python's own version depends on the Python: 14.0 for 3.11, 16.0 for 3.14).
     */
    static boolean isWordChar(int cp) {
        return cp == '_' || UnicodeClasses.isLetter(cp) || UnicodeClasses.isNumber(cp);
    }
}
