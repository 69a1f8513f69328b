package io.flinkllmlingua.training.internal;

import io.flinkllmlingua.training.LabeledText;
import io.flinkllmlingua.training.TokenWindows;

/**
 * A token's training label from its text's unit labels: the label of the unit containing the token's first
 * character; a token in no unit (punctuation) takes its whitespace-delimited chunk's label, kept iff any unit of
 * that chunk is kept (so the comma of "project," follows "project"); a token whose chunk has no unit, or that has no
 * span, is {@link #IGNORED} and not trained on.
 */
public final class TokenLabels {
    public static final byte DROP = 0;
    public static final byte KEEP = 1;
    public static final byte IGNORED = -1;

    private TokenLabels() {}

    public static byte[] of(LabeledText text, TokenWindows.Tokens tokens) {
        String s = text.text();
        int n = s.length();
        // Per character: index of the unit covering it, or -1.
        int[] unitAt = new int[n];
        java.util.Arrays.fill(unitAt, -1);
        for (int u = 0; u < text.units().size(); u++) {
            LabeledText.Unit unit = text.units().get(u);
            java.util.Arrays.fill(unitAt, unit.start(), unit.end(), u);
        }
        // Per character: the label of its whitespace-delimited chunk (IGNORED on whitespace and unit-less chunks).
        byte[] chunkLabel = new byte[n];
        int i = 0;
        while (i < n) {
            if (Character.isWhitespace(s.charAt(i))) {
                chunkLabel[i++] = IGNORED;
                continue;
            }
            int start = i;
            byte label = IGNORED;
            while (i < n && !Character.isWhitespace(s.charAt(i))) {
                if (unitAt[i] >= 0) {
                    label = text.units().get(unitAt[i]).keep() || label == KEEP ? KEEP : DROP;
                }
                i++;
            }
            java.util.Arrays.fill(chunkLabel, start, i, label);
        }
        byte[] out = new byte[tokens.size()];
        for (int t = 0; t < out.length; t++) {
            int start = tokens.starts()[t];
            int end = Math.min(tokens.ends()[t], n);
            // A span may begin on the space before a word (SentencePiece's "▁"): start at its first visible char.
            while (start >= 0 && start < end && Character.isWhitespace(s.charAt(start))) {
                start++;
            }
            if (start < 0 || start >= n || start >= end) {
                out[t] = IGNORED;
            } else if (unitAt[start] >= 0) {
                out[t] = text.units().get(unitAt[start]).keep() ? KEEP : DROP;
            } else {
                out[t] = chunkLabel[start];
            }
        }
        return out;
    }
}
