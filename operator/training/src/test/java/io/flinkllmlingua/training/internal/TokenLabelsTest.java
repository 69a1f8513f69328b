package io.flinkllmlingua.training.internal;

import io.flinkllmlingua.training.LabeledText;
import io.flinkllmlingua.training.TokenWindows;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Token labels from unit labels: the unit at the token's start; punctuation follows its chunk. */
class TokenLabelsTest {
    @Test
    void tokensTakeTheirUnitsOrTheirChunksLabel() {
        // units: The(0-3) project(4-11) , is(13-15) done(16-20) ! ... ;-) (no unit)
        String text = "The project, is done! ;-)";
        LabeledText labels = LabeledText.of("t", "en", text, new boolean[] {false, true, false, true});
        // Tokens: "The" "pro" "##ject" "," "is" "done" "!" ";" "-" ")" and one without a span.
        int[] starts = {0, 4, 7, 11, 13, 16, 20, 22, 23, 24, -1};
        int[] ends = {3, 7, 11, 12, 15, 20, 21, 23, 24, 25, -1};
        byte[] out = TokenLabels.of(labels, new TokenWindows.Tokens(new long[starts.length], starts, ends));
        byte k = TokenLabels.KEEP;
        byte d = TokenLabels.DROP;
        byte i = TokenLabels.IGNORED;
        assertArrayEquals(new byte[] {d, k, k, k, d, k, k, i, i, i, i}, out);
    }

    @Test
    void aChunkIsKeptWhenAnyOfItsUnitsIsAndASpanStartingOnASpaceStartsAtItsWord() {
        String text = "a (b-c) x";
        // units: a, b, c, x
        LabeledText labels = LabeledText.of("t", "en", text, new boolean[] {true, false, true, false});
        // "(" takes the chunk "(b-c)": c is kept; "-" too; " x" (SentencePiece-style span) is x's label.
        int[] starts = {0, 2, 3, 4, 5, 6, 7};
        int[] ends = {1, 3, 4, 5, 6, 7, 9};
        byte[] out = TokenLabels.of(labels, new TokenWindows.Tokens(new long[starts.length], starts, ends));
        assertArrayEquals(new byte[] {TokenLabels.KEEP, TokenLabels.KEEP, TokenLabels.DROP, TokenLabels.KEEP,
                TokenLabels.KEEP, TokenLabels.KEEP, TokenLabels.DROP}, out);
    }
}
