package io.flinkllmlingua.training.eval;

import io.flinkllmlingua.training.LabeledText;

/**
 * The unit classes of the downstream view (what retrieval-augmented generation needs to survive compression):
 * <ul>
 *   <li><b>number</b>: the unit contains a digit;</li>
 *   <li><b>entity</b> (a heuristic, no tagger): a non-Han, non-stopword unit that has an upper-case letter after
 *       its first character (IRP, McDonald), or mixes letters and digits (H1N1), or starts upper case and does not
 *       start a sentence (the previous non-space character is not one of {@code . ! ? : ; 。 ！ ？ ：} or a line
 *       break, and it is not the text's first unit). Han characters are never entities: Chinese has no case, and
 *       a single character is not a name;</li>
 *   <li><b>content</b>: not a stopword of the text's language.</li>
 * </ul>
 */
public record UnitClasses(boolean[] number, boolean[] entity, boolean[] content) {

    public static UnitClasses of(LabeledText text, Stopwords stopwords) {
        int n = text.units().size();
        boolean[] number = new boolean[n];
        boolean[] entity = new boolean[n];
        boolean[] content = new boolean[n];
        for (int i = 0; i < n; i++) {
            String u = text.unitText(i);
            boolean stop = stopwords.contains(u);
            content[i] = !stop;
            number[i] = u.codePoints().anyMatch(Character::isDigit);
            entity[i] = !stop && isEntity(text, i, u);
        }
        return new UnitClasses(number, entity, content);
    }

    private static boolean isEntity(LabeledText text, int i, String u) {
        int first = u.codePointAt(0);
        if (Character.UnicodeScript.of(first) == Character.UnicodeScript.HAN) {
            return false;
        }
        boolean letters = u.codePoints().anyMatch(Character::isLetter);
        boolean digits = u.codePoints().anyMatch(Character::isDigit);
        if (letters && digits) {
            return true;
        }
        if (u.substring(Character.charCount(first)).codePoints().anyMatch(Character::isUpperCase)) {
            return true;
        }
        return Character.isUpperCase(first) && !startsSentence(text, i);
    }

    private static boolean startsSentence(LabeledText text, int i) {
        if (i == 0) {
            return true;
        }
        String s = text.text();
        for (int p = text.units().get(i).start() - 1; p >= 0; p--) {
            char c = s.charAt(p);
            if (c == '\n' || ".!?:;。！？：".indexOf(c) >= 0) {
                return true;
            }
            if (!Character.isWhitespace(c) && c != '"' && c != '\'' && c != '(' && c != '“' && c != '‘') {
                return false;
            }
        }
        return true;
    }
}
