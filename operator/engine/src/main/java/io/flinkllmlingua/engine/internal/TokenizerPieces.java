package io.flinkllmlingua.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Where a long text may be cut so that its pieces, tokenized separately (in parallel), give exactly the tokens and
 * spans of the whole text (spec §2: the context is tokenized once, whole, before chunking; only the result is
 * specified, not that it runs in one call).
 *
 * <p>A cut is placed only at the start of a whitespace run ({@code ' '} or {@code '\n'} right after a letter or
 * digit), and only for tokenizers whose every stage is local to whitespace-separated words: the normalizers and
 * pre-tokenizers listed below (per-character maps, Unicode normal forms, which never compose across a space, the
 * collapse of space runs, which a cut keeps whole), a first pre-tokenizer that splits on whitespace and drops it,
 * and added tokens that hold no whitespace and do not strip whitespace on their right. A token that strips on its
 * left (XLM-R's {@code <mask>}) takes the whitespace before it into its span, which a piece starting with that
 * whitespace would report differently: no cut is placed before a whitespace run that such a token follows (it must
 * be matched on the raw text for this test to be exact). Any other tokenizer (byte-level BPE, SentencePiece's
 * precompiled character map, a Strip normalizer, ...) is tokenized in one call.
 */
public final class TokenizerPieces {
    /** Below this length a text is tokenized in one call; above, pieces of about this many characters. */
    public static final int PIECE_CHARS = 32_768;

    private static final Set<String> SAFE_NORMALIZERS = Set.of("BertNormalizer", "Lowercase", "NFC", "NFD", "NFKC",
            "NFKD", "StripAccents");
    private static final Set<String> WHITESPACE_SPLITTERS = Set.of("BertPreTokenizer", "Whitespace", "WhitespaceSplit");
    private static final Set<String> SAFE_LATER_PRE_TOKENIZERS = Set.of("BertPreTokenizer", "Whitespace",
            "WhitespaceSplit", "Metaspace", "Punctuation", "Digits");

    /** Contents of the added tokens that strip whitespace on their left. */
    private final List<String> leftStripping;

    private TokenizerPieces(List<String> leftStripping) {
        this.leftStripping = leftStripping;
    }

    /**
     * The cut rule of the tokenizer described by {@code tokenizer.json}, or null when its pieces could give another
     * result than the whole text.
     */
    public static TokenizerPieces of(JsonNode root) {
        if (!safeNormalizer(root.get("normalizer")) || !safePreTokenizer(root.get("pre_tokenizer"))) {
            return null;
        }
        List<String> leftStripping = new ArrayList<>();
        for (JsonNode t : root.path("added_tokens")) {
            String content = t.path("content").asText("");
            if (content.isEmpty() || hasWhitespace(content) || t.path("rstrip").asBoolean(false)) {
                return null;
            }
            if (t.path("lstrip").asBoolean(false)) {
                if (t.path("normalized").asBoolean(true)) {
                    return null; // matched after normalization: other raw strings could match it
                }
                leftStripping.add(content);
            }
        }
        return new TokenizerPieces(List.copyOf(leftStripping));
    }

    private static boolean safeNormalizer(JsonNode n) {
        if (n == null || n.isNull()) {
            return true;
        }
        String type = n.path("type").asText("");
        if (type.equals("Sequence")) {
            for (JsonNode child : n.path("normalizers")) {
                if (!safeNormalizer(child)) {
                    return false;
                }
            }
            return true;
        }
        if (type.equals("Replace")) {
            // Only the collapse of space runs (XLM-R's), or a literal without whitespace: neither spans a cut.
            JsonNode pattern = n.path("pattern");
            if (pattern.has("Regex")) {
                return pattern.get("Regex").asText().equals(" {2,}");
            }
            return pattern.has("String") && !pattern.get("String").asText().isEmpty()
                    && !hasWhitespace(pattern.get("String").asText());
        }
        return SAFE_NORMALIZERS.contains(type);
    }

    private static boolean safePreTokenizer(JsonNode p) {
        if (p == null || p.isNull()) {
            return false; // the whole text is one word
        }
        List<JsonNode> steps = new ArrayList<>();
        if (p.path("type").asText("").equals("Sequence")) {
            p.path("pretokenizers").forEach(steps::add);
        } else {
            steps.add(p);
        }
        if (steps.isEmpty() || !WHITESPACE_SPLITTERS.contains(steps.get(0).path("type").asText(""))) {
            return false;
        }
        for (JsonNode s : steps.subList(1, steps.size())) {
            if (!SAFE_LATER_PRE_TOKENIZERS.contains(s.path("type").asText(""))) {
                return false;
            }
            // Metaspace's "first" scheme marks only the text's first word, which a piece would repeat.
            if (s.path("prepend_scheme").asText("always").equals("first")) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            // Unicode White_Space (every space separator among them) and Java's whitespace, which adds U+001C-U+001F.
            if (Character.isWhitespace(c) || isUnicodeWhiteSpace(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Cut positions, ascending, each about {@code pieceChars} after the previous one (later where no cut is
     * allowed there); none when the text is shorter than two pieces. Linear in the text.
     */
    public List<Integer> cuts(String text, int pieceChars) {
        List<Integer> out = new ArrayList<>();
        int n = text.length();
        int from = 0;
        while (n - from >= 2 * pieceChars) {
            int p = from + pieceChars;
            while (p < n && !cutAllowed(text, p)) {
                p++;
            }
            if (p >= n) {
                break;
            }
            out.add(p);
            from = p;
        }
        return out;
    }

    boolean cutAllowed(String text, int p) {
        char c = text.charAt(p);
        if ((c != ' ' && c != '\n') || !Character.isLetterOrDigit(text.charAt(p - 1))) {
            return false;
        }
        if (!leftStripping.isEmpty()) {
            int runEnd = p;
            while (runEnd < text.length() && isUnicodeWhiteSpace(text.charAt(runEnd))) {
                runEnd++;
            }
            for (String token : leftStripping) {
                if (text.startsWith(token, runEnd)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Unicode's White_Space property, which Rust's {@code str::trim_end} (the tokenizers library's lstrip) strips:
     * unlike {@link Character#isWhitespace} it includes the no-break spaces (U+00A0, U+2007, U+202F) and U+0085, and
     * excludes U+001C..U+001F.
     */
    static boolean isUnicodeWhiteSpace(char c) {
        return (c >= '\t' && c <= '\r') || c == ' ' || c == '\u0085' || c == '\u00a0' || c == '\u1680'
                || (c >= '\u2000' && c <= '\u200a') || c == '\u2028' || c == '\u2029' || c == '\u202f'
                || c == '\u205f' || c == '\u3000';
    }
}
