package io.flinkllmlingua.engine;

import ai.djl.huggingface.tokenizers.jni.CharSpan;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class TokenSpansTest {
    @Test
    void codePointSpansBecomeUtf16IndicesAfterASupplementaryCharacter() {
        String text = "a 😀 bc"; // the emoji is one code point, two UTF-16 units
        CharSpan[] spans = {new CharSpan(0, 1), new CharSpan(2, 3), new CharSpan(4, 6), null};
        TokenSpans s = TokenSpans.of(text, spans, 4);
        assertArrayEquals(new int[] {0, 2, 5, -1}, s.starts());
        assertArrayEquals(new int[] {1, 4, 7, -1}, s.ends());
        assertArrayEquals("bc".toCharArray(), text.substring(s.starts()[2], s.ends()[2]).toCharArray());
    }

    @Test
    void basicMultilingualPlaneTextKeepsTheTokenizersIndicesAndMissingSpansAreMinusOne() {
        TokenSpans s = TokenSpans.of("中文 text", new CharSpan[] {new CharSpan(0, 2), new CharSpan(3, 7)}, 3);
        assertArrayEquals(new int[] {0, 3, -1}, s.starts());
        assertArrayEquals(new int[] {2, 7, -1}, s.ends());
    }
}
