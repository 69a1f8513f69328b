package io.flinkllmlingua.training.eval;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Precision, recall and F1 of a kept set against the reference's kept set, from counts. {@code truePositives} is
 * fractional for an expected value (the random baseline's mean over its draws). Sums of counts give the micro
 * average.
 *
 * @param truePositives units kept by both
 * @param predicted     units kept by the method under test
 * @param reference     units kept by the reference
 */
public record KeepMetrics(double truePositives, int predicted, int reference) {
    public static final KeepMetrics ZERO = new KeepMetrics(0, 0, 0);

    public static KeepMetrics of(boolean[] predicted, boolean[] reference) {
        if (predicted.length != reference.length) {
            throw new IllegalArgumentException(predicted.length + " predictions for " + reference.length + " units");
        }
        int tp = 0;
        int p = 0;
        int r = 0;
        for (int i = 0; i < predicted.length; i++) {
            p += predicted[i] ? 1 : 0;
            r += reference[i] ? 1 : 0;
            tp += predicted[i] && reference[i] ? 1 : 0;
        }
        return new KeepMetrics(tp, p, r);
    }

    public KeepMetrics plus(KeepMetrics o) {
        return new KeepMetrics(truePositives + o.truePositives, predicted + o.predicted, reference + o.reference);
    }

    /** Kept by both / kept by the method; 0 when the method keeps nothing. */
    @JsonProperty("precision")
    public double precision() {
        return predicted == 0 ? 0 : truePositives / predicted;
    }

    /** Kept by both / kept by the reference; 0 when the reference keeps nothing. */
    @JsonProperty("recall")
    public double recall() {
        return reference == 0 ? 0 : truePositives / reference;
    }

    /** Harmonic mean of precision and recall; 0 when both are 0. */
    @JsonProperty("f1")
    public double f1() {
        double p = precision();
        double r = recall();
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }
}
