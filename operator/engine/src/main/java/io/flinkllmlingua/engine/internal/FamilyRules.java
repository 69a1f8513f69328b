package io.flinkllmlingua.engine.internal;

import io.flinkllmlingua.engine.ModelFamily;

import java.util.List;
import java.util.Set;

/**
 * The family-specific rules of the reference: marker stripping, word starts, and the tokenizer decoder used to
 * turn token or word strings back into text ({@code convert_tokens_to_string}).
 */
public abstract class FamilyRules {
    /** Python's {@code string.punctuation}, in order: the SentencePiece word-start test is a substring test on it. */
    static final String PYTHON_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    public static final FamilyRules WORDPIECE = new WordPieceRules();
    public static final FamilyRules SENTENCEPIECE = new SentencePieceRules();

    public static FamilyRules of(ModelFamily family) {
        return family == ModelFamily.WORDPIECE ? WORDPIECE : SENTENCEPIECE;
    }

    public abstract ModelFamily family();

    /** The reference's {@code get_pure_token}: strips all leading marker characters. */
    public abstract String stripMarker(String token);

    /** The reference's {@code is_begin_of_new_word}. */
    public abstract boolean startsNewWord(String token, Set<String> forceTokens, Set<String> placeholders);

    /** The tokenizer decoder applied to a list of token (or word) strings. */
    public abstract String decode(List<String> tokens);

    /** The word as shown in word labels: SentencePiece words lose their leading {@code ▁}. */
    public abstract String labelText(String word);

    private static String stripLeading(String s, char c) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == c) {
            i++;
        }
        return i == 0 ? s : s.substring(i);
    }

    static final class WordPieceRules extends FamilyRules {
        // The WordPiece decoder's clean-up, applied per element (after the leading space was added).
        private static final String[][] CLEANUP = {
            {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"}, {" 'm", "'m"},
            {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}
        };

        @Override
        public ModelFamily family() {
            return ModelFamily.WORDPIECE;
        }

        @Override
        public String stripMarker(String token) {
            return stripLeading(token, '#');
        }

        @Override
        public boolean startsNewWord(String token, Set<String> forceTokens, Set<String> placeholders) {
            String pure = stripMarker(token);
            if (forceTokens.contains(pure) || placeholders.contains(pure)) {
                return true;
            }
            return !token.startsWith("##");
        }

        /**
         * The second characters of the clean-up patterns: every pattern starts with a space, so " " + t, where t has
         * no space, can only match at 0, which needs t to start with one of these.
         */
        private static final String CLEANUP_SECOND_CHARS = cleanupSecondChars();

        private static String cleanupSecondChars() {
            StringBuilder chars = new StringBuilder();
            for (String[] r : CLEANUP) {
                if (r[0].charAt(0) != ' ') {
                    throw new IllegalStateException("clean-up pattern without a leading space: " + r[0]);
                }
                chars.append(r[0].charAt(1));
            }
            return chars.toString();
        }

        @Override
        public String decode(List<String> tokens) {
            StringBuilder out = new StringBuilder(tokens.size() * 8);
            for (int i = 0; i < tokens.size(); i++) {
                String t = tokens.get(i);
                if (i == 0) {
                    out.append(cleanup(t));
                } else if (t.startsWith("##")) {
                    if (t.indexOf(' ') < 0) {
                        out.append(t, 2, t.length()); // cleanup of a string without a space is the string
                    } else {
                        out.append(cleanup(t.substring(2)));
                    }
                } else if (t.indexOf(' ') < 0 && (t.isEmpty() || CLEANUP_SECOND_CHARS.indexOf(t.charAt(0)) < 0)) {
                    out.append(' ').append(t); // what cleanup(" " + t) returns, without building " " + t (see above)
                } else {
                    out.append(cleanup(" " + t));
                }
            }
            return out.toString();
        }

        static String cleanup(String s) {
            if (s.indexOf(' ') < 0) {
                return s;
            }
            for (String[] r : CLEANUP) {
                s = s.replace(r[0], r[1]);
            }
            return s;
        }

        @Override
        public String labelText(String word) {
            return word;
        }
    }

    static final class SentencePieceRules extends FamilyRules {
        static final char MARK = '\u2581';

        @Override
        public ModelFamily family() {
            return ModelFamily.SENTENCEPIECE;
        }

        @Override
        public String stripMarker(String token) {
            return stripLeading(token, MARK);
        }

        @Override
        public boolean startsNewWord(String token, Set<String> forceTokens, Set<String> placeholders) {
            if (PYTHON_PUNCTUATION.contains(token) || forceTokens.contains(token) || placeholders.contains(token)) {
                return true;
            }
            return token.length() > 0 && token.charAt(0) == MARK;
        }

        @Override
        public String decode(List<String> tokens) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < tokens.size(); i++) {
                String t = tokens.get(i);
                if (i == 0) {
                    for (int k = 0; k < t.length(); k++) {
                        char c = t.charAt(k);
                        if (c != MARK) {
                            out.append(c);
                        }
                    }
                } else {
                    out.append(t.replace(MARK, ' '));
                }
            }
            return out.toString();
        }

        @Override
        public String labelText(String word) {
            return stripMarker(word);
        }
    }
}
