package io.flinkllmlingua.engine.internal;

import java.util.Arrays;

/**
 * numpy's default ("linear") percentile, reproduced to the bit: the reference keeps a word only when its
 * probability is strictly above the percentile, so ties decide labels.
 */
public final class Percentile {
    private Percentile() {}

    /**
     * @param values the sample (not modified)
     * @param q integer percentile in [0, 100]
     */
    public static double of(double[] values, int q) {
        return ofSorted(sortedCopy(values, values.length), q);
    }

    /** Percentile of the first {@code n} entries of {@code values}. */
    public static double of(double[] values, int n, int q) {
        return ofSorted(sortedCopy(values, n), q);
    }

    private static double[] sortedCopy(double[] values, int n) {
        double[] s = Arrays.copyOf(values, n);
        Arrays.sort(s);
        return s;
    }

    /** Percentile of an ascending array. */
    public static double ofSorted(double[] sorted, int q) {
        int m = sorted.length;
        if (m == 0) {
            throw new IllegalArgumentException("percentile of an empty list");
        }
        if (q < 0 || q > 100) {
            throw new IllegalArgumentException("Percentiles must be in the range [0, 100], got " + q);
        }
        double f = q / 100.0;
        double v = (m - 1) * f;
        if (v >= m - 1) {
            return sorted[m - 1];
        }
        int lo = (int) Math.floor(v);
        double g = v - lo;
        double a = sorted[lo];
        double b = sorted[lo + 1];
        double d = b - a;
        // numpy's two-sided lerp: exact at both ends, which matters for the strict keep rule.
        if (g >= 0.5) {
            return b - d * (1 - g);
        }
        return a + d * g;
    }

    /** The token stage's percentile index {@code trunc(100 * reduceRate + 1)}, evaluated as the reference does. */
    public static int tokenStageIndex(double reduceRate) {
        return (int) (100.0 * reduceRate + 1);
    }

    /** The drop-consecutive percentile index {@code trunc(100 * reduceRate)} (no +1). */
    public static int dropConsecutiveIndex(double reduceRate) {
        return (int) (100.0 * reduceRate);
    }

    /** The context stage's percentile index {@code trunc(100 * (1 - contextLevelRate))}. */
    public static int contextStageIndex(double contextLevelRate) {
        return (int) (100.0 * (1 - contextLevelRate));
    }
}
