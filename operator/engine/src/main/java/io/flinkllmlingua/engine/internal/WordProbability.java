package io.flinkllmlingua.engine.internal;

import io.flinkllmlingua.engine.TokenToWord;

import java.util.List;

/** A word's probability from its pieces' (reference {@code __token_prob_to_word_prob}), in double as numpy 1.x. */
public final class WordProbability {
    private WordProbability() {}

    public static double of(double[] pieces, TokenToWord mode) {
        if (mode == TokenToWord.FIRST) {
            return pieces[0];
        }
        double sum = 0;
        for (double p : pieces) {
            sum += p;
        }
        return sum / pieces.length;
    }

    public static double[] of(List<double[]> pieces, TokenToWord mode) {
        double[] out = new double[pieces.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = of(pieces.get(i), mode);
        }
        return out;
    }
}
