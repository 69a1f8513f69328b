package io.flinkllmlingua.training.eval;

import io.flinkllmlingua.training.LabeledText;

import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

/** The kept sets compared at the reference's rate: each keeps exactly {@code k} units of a text. */
public final class KeepSelection {
    private KeepSelection() {}

    /** The {@code k} highest scores; equal scores in text order (the earlier unit first). */
    public static boolean[] topK(double[] scores, int k) {
        check(scores.length, k);
        boolean[] keep = new boolean[scores.length];
        IntStream.range(0, scores.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i))
                .limit(k)
                .forEach(i -> keep[i] = true);
        return keep;
    }

    /** Non-stopwords in text order, then, if {@code k} is larger, stopwords in text order. */
    public static boolean[] stopwordBaseline(LabeledText text, Stopwords stopwords, int k) {
        int n = text.units().size();
        check(n, k);
        boolean[] keep = new boolean[n];
        int left = k;
        for (int pass = 0; pass < 2 && left > 0; pass++) {
            for (int i = 0; i < n && left > 0; i++) {
                boolean stop = stopwords.contains(text.unitText(i));
                if (stop == (pass == 1)) {
                    keep[i] = true;
                    left--;
                }
            }
        }
        return keep;
    }

    /** {@code k} units drawn uniformly without replacement. */
    public static boolean[] random(int n, int k, Random random) {
        check(n, k);
        boolean[] keep = new boolean[n];
        // Floyd's algorithm: k draws, each set equally likely.
        for (int j = n - k; j < n; j++) {
            int t = random.nextInt(j + 1);
            if (keep[t]) {
                keep[j] = true;
            } else {
                keep[t] = true;
            }
        }
        return keep;
    }

    private static void check(int n, int k) {
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("cannot keep " + k + " of " + n + " units");
        }
    }
}
