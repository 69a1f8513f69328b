package io.flinkllmlingua.training;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The unit that labels, alignment and evaluation count: a maximal run of letters, digits and combining marks, except
 * that each character of a script written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) is a
 * unit of its own. Punctuation, symbols and spaces are not units, so "project," and "project" are the same unit and
 * a kept comma never counts as a kept word. One rule for every language keeps the English and the Chinese numbers
 * comparable and needs no word segmenter.
 */
public final class TextUnits {
    private TextUnits() {}

    /** A unit's UTF-16 span in its text, end exclusive. */
    public record Span(int start, int end) {
        public String of(String text) {
            return text.substring(start, end);
        }
    }

    /** The units of {@code text}, in order. */
    public static List<Span> split(String text) {
        List<Span> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            int cp = text.codePointAt(i);
            int len = Character.charCount(cp);
            if (isUnscripted(cp)) {
                out.add(new Span(i, i + len));
                i += len;
            } else if (isWordChar(cp)) {
                int start = i;
                i += len;
                while (i < n) {
                    int next = text.codePointAt(i);
                    if (!isWordChar(next) || isUnscripted(next)) {
                        break;
                    }
                    i += Character.charCount(next);
                }
                out.add(new Span(start, i));
            } else {
                i += len;
            }
        }
        return out;
    }

    /** The form two units are compared in: NFKC (full-width digits equal ASCII ones), then lower case. */
    public static String key(String unit) {
        return Normalizer.normalize(unit, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    }

    /** The keys of a text's units, in order. */
    public static List<String> keys(String text) {
        List<String> out = new ArrayList<>();
        for (Span s : split(text)) {
            out.add(key(s.of(text)));
        }
        return out;
    }

    static boolean isWordChar(int cp) {
        if (Character.isLetterOrDigit(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    /** A letter of a script written without spaces between words: one unit per character. */
    static boolean isUnscripted(int cp) {
        if (!Character.isLetter(cp)) {
            return false;
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        return switch (script) {
            case HAN, HIRAGANA, KATAKANA, THAI, LAO, KHMER, MYANMAR -> true;
            default -> false;
        };
    }
}
