package io.flinkllmlingua.engine.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** The reference's statistics strings, formatted as Python's {@code "{:.1f}"} (round half-even on the exact binary value). */
public final class ReferenceFormat {
    private ReferenceFormat() {}

    /** Python {@code format(x, ".1f")}, including {@code "-0.0"} for small negative values. */
    public static String oneDecimal(double x) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        String s = new BigDecimal(x).setScale(1, RoundingMode.HALF_EVEN).toPlainString();
        boolean negative = x < 0 || (x == 0 && 1 / x < 0);
        if (negative && !s.startsWith("-")) {
            s = "-" + s;
        }
        return s;
    }

    /** {@code origin / compressed}, or 1 when nothing is left. */
    public static double ratio(int originTokens, int compressedTokens) {
        return compressedTokens == 0 ? 1.0 : (double) originTokens / compressedTokens;
    }

    public static double ratePercent(double ratio) {
        return (1.0 / ratio) * 100;
    }

    public static String ratioText(double ratio) {
        return oneDecimal(ratio) + "x";
    }

    public static String rateText(double ratio) {
        return oneDecimal(ratePercent(ratio)) + "%";
    }

    /** The reference's GPT-4 cost remark ($0.06 per 1000 tokens), leading comma included. */
    public static String savingText(int originTokens, int compressedTokens) {
        double saving = (originTokens - compressedTokens) * 0.06 / 1000;
        return ", Saving $" + oneDecimal(saving) + " in GPT-4.";
    }
}
