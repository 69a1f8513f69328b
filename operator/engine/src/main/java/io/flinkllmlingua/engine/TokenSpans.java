package io.flinkllmlingua.engine;

import ai.djl.huggingface.tokenizers.jni.CharSpan;

/**
 * Token spans in Java string indices. The Rust tokenizer reports a token's span in Unicode code points; a Java
 * string indexes UTF-16 units, and the two differ after any character outside the Basic Multilingual Plane (emoji,
 * supplementary CJK). One conversion for the engine and for training.
 *
 * @param starts per token, its first UTF-16 index, or -1 where the tokenizer gives no span
 * @param ends   per token, its UTF-16 end (exclusive), or -1
 */
public record TokenSpans(int[] starts, int[] ends) {

    /** The spans of the first {@code tokens} tokens of an encoding of {@code text}. */
    public static TokenSpans of(String text, CharSpan[] spans, int tokens) {
        int[] starts = new int[tokens];
        int[] ends = new int[tokens];
        boolean bmpOnly = text.length() == text.codePointCount(0, text.length());
        int[] cpToUtf16 = bmpOnly ? null : codePointOffsets(text);
        for (int i = 0; i < tokens; i++) {
            CharSpan s = i < spans.length ? spans[i] : null;
            if (s == null) {
                starts[i] = -1;
                ends[i] = -1;
            } else if (bmpOnly) {
                starts[i] = s.getStart();
                ends[i] = s.getEnd();
            } else {
                starts[i] = cpToUtf16[Math.min(s.getStart(), cpToUtf16.length - 1)];
                ends[i] = cpToUtf16[Math.min(s.getEnd(), cpToUtf16.length - 1)];
            }
        }
        return new TokenSpans(starts, ends);
    }

    private static int[] codePointOffsets(String text) {
        int n = text.codePointCount(0, text.length());
        int[] out = new int[n + 1];
        int idx = 0;
        for (int cp = 0; cp < n; cp++) {
            out[cp] = idx;
            idx += Character.charCount(text.codePointAt(idx));
        }
        out[n] = text.length();
        return out;
    }
}
