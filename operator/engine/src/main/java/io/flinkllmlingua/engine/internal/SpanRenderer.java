package io.flinkllmlingua.engine.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders kept words by cutting them out of the original context (the {@code ORIGINAL_SPANS} mode), so the
 * output is a subsequence of the input characters. Words are located through the first tokenization of the
 * substituted context, whose pieces carry character spans; when re-tokenizing a chunk's decoded text gave other
 * pieces (rare: a WordPiece chunk cut inside a word, the {@code do not} clean-up), pieces are aligned to the
 * context tokens by their characters.
 */
public final class SpanRenderer {
    private final String original;
    private final List<int[]> keptSpans = new ArrayList<>();
    private final List<Integer> keptWordIndex = new ArrayList<>();
    private int wordOffset;
    private int cursor;

    public SpanRenderer(String original) {
        this.original = original;
    }

    /**
     * @param sub the substituted context (tracked)
     * @param tokens its tokenization with spans
     * @param firstToken first context token of the chunk
     * @param lastToken last context token of the chunk (inclusive)
     * @param pieces the chunk's re-tokenized pieces (model positions 1..)
     * @param activePositions model position of each active token used by the word merger
     * @param words the chunk's words
     * @param kept keep flags of the words
     */
    public void addChunk(SubstitutedText sub, TokenizedText tokens, int firstToken, int lastToken, String[] pieces,
                         int[] activePositions, ChunkWords words, boolean[] kept, FamilyRules rules) {
        int[] pieceToToken = alignPieces(tokens, firstToken, lastToken, pieces, rules);
        for (int w = 0; w < words.size(); w++) {
            if (!kept[w]) {
                continue;
            }
            int s = Integer.MAX_VALUE;
            int e = -1;
            for (int k = words.firstPiece()[w]; k <= words.lastPiece()[w]; k++) {
                int piece = activePositions[k] - 1;
                if (piece < 0 || piece >= pieceToToken.length) {
                    continue; // a boundary position
                }
                int tok = pieceToToken[piece];
                if (tok < 0 || tokens.starts()[tok] < 0) {
                    continue;
                }
                s = Math.min(s, sub.originStart(tokens.starts()[tok]));
                e = Math.max(e, sub.originEnd(tokens.ends()[tok]));
            }
            if (e < 0) {
                continue;
            }
            s = Math.max(s, cursor);
            if (e <= s) {
                continue;
            }
            keptSpans.add(new int[] {s, e});
            keptWordIndex.add(wordOffset + w);
            cursor = e;
        }
        wordOffset += words.size();
    }

    /** Maps each piece to a context token index, or -1. */
    static int[] alignPieces(TokenizedText tokens, int firstToken, int lastToken, String[] pieces, FamilyRules rules) {
        int count = lastToken - firstToken + 1;
        int[] map = new int[pieces.length];
        boolean identical = pieces.length == count;
        for (int j = 0; identical && j < count; j++) {
            identical = pieces[j].equals(tokens.tokens()[firstToken + j]);
        }
        if (identical) {
            for (int j = 0; j < count; j++) {
                map[j] = firstToken + j;
            }
            return map;
        }
        // Character alignment: walk the stripped characters of pieces and tokens together.
        StringBuilder tokenChars = new StringBuilder();
        List<Integer> charOwner = new ArrayList<>();
        for (int t = firstToken; t <= lastToken; t++) {
            String c = rules.stripMarker(tokens.tokens()[t]);
            for (int i = 0; i < c.length(); i++) {
                tokenChars.append(c.charAt(i));
                charOwner.add(t);
            }
        }
        int pos = 0;
        int lastOwner = -1;
        for (int j = 0; j < pieces.length; j++) {
            String c = rules.stripMarker(pieces[j]);
            int found = c.isEmpty() ? -1 : tokenChars.indexOf(c, pos);
            if (found >= 0 && found - pos <= 8) {
                map[j] = charOwner.get(found);
                pos = found + c.length();
                lastOwner = map[j];
            } else {
                map[j] = lastOwner;
            }
        }
        return map;
    }

    public String render() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < keptSpans.size(); i++) {
            int[] span = keptSpans.get(i);
            if (i > 0) {
                int prevEnd = keptSpans.get(i - 1)[1];
                boolean adjacent = keptWordIndex.get(i) == keptWordIndex.get(i - 1) + 1;
                if (adjacent) {
                    out.append(original, prevEnd, span[0]);
                } else {
                    out.append(separator(prevEnd, span[0]));
                }
            }
            out.append(original, span[0], span[1]);
        }
        return out.toString();
    }

    /**
     * What separates two kept words that were not adjacent: the whitespace character right before the next word
     * if there is one (so punctuation that was attached stays attached); else, when both sides are word
     * characters and the dropped stretch held whitespace, one whitespace character of it (a newline if any), so
     * that words do not merge; else nothing (CJK text, attached punctuation).
     */
    private String separator(int from, int to) {
        if (to > from && Character.isWhitespace(original.charAt(to - 1))) {
            return String.valueOf(original.charAt(to - 1));
        }
        if (from == 0 || to >= original.length()
                || !Character.isLetterOrDigit(original.codePointBefore(from))
                || !Character.isLetterOrDigit(original.codePointAt(to))) {
            return "";
        }
        int firstSpace = -1;
        for (int i = from; i < to; i++) {
            char c = original.charAt(i);
            if (c == '\n') {
                return "\n";
            }
            if (firstSpace < 0 && Character.isWhitespace(c)) {
                firstSpace = i;
            }
        }
        return firstSpace < 0 ? "" : String.valueOf(original.charAt(firstSpace));
    }
}
