package io.flinkllmlingua.training.teacher;

import io.flinkllmlingua.training.TextUnits;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Sentence spans by a simple rule, enough for tagging context and for cutting pieces on sentence boundaries: a line
 * break ends a sentence (paragraphs, list items and transcript turns are lines in the corpora), and so does
 * {@code .}, {@code !} or {@code ?} (with closing quotes or brackets) followed by a space and an upper-case letter,
 * digit or opening quote, unless the word before the full stop is an abbreviation of the language or one letter
 * (an initial).
 */
final class Sentences {
    private Sentences() {}

    static List<TextUnits.Span> split(String text, Set<String> abbreviations) {
        List<TextUnits.Span> out = new ArrayList<>();
        int start = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                add(out, text, start, i);
                start = i + 1;
            } else if (c == '.' || c == '!' || c == '?') {
                int end = i + 1;
                while (end < n && "!?.\"')]”’".indexOf(text.charAt(end)) >= 0) {
                    end++;
                }
                if (end < n && text.charAt(end) == ' ' && startsSentence(text, end)
                        && !(c == '.' && isAbbreviation(text, i, abbreviations))) {
                    add(out, text, start, end);
                    start = end;
                    i = end - 1;
                }
            }
        }
        add(out, text, start, n);
        return out;
    }

    private static boolean startsSentence(String text, int at) {
        int j = at;
        while (j < text.length() && text.charAt(j) == ' ') {
            j++;
        }
        if (j >= text.length()) {
            return false;
        }
        char next = text.charAt(j);
        return Character.isUpperCase(next) || Character.isDigit(next) || "\"'(“‘[".indexOf(next) >= 0;
    }

    private static boolean isAbbreviation(String text, int dot, Set<String> abbreviations) {
        int j = dot;
        while (j > 0 && (Character.isLetterOrDigit(text.charAt(j - 1)) || text.charAt(j - 1) == '.')) {
            j--;
        }
        String word = text.substring(j, dot).toLowerCase(Locale.ROOT);
        return (word.length() == 1 && Character.isLetter(word.charAt(0))) || abbreviations.contains(word);
    }

    private static void add(List<TextUnits.Span> out, String text, int start, int end) {
        while (start < end && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        if (end > start) {
            out.add(new TextUnits.Span(start, end));
        }
    }
}
