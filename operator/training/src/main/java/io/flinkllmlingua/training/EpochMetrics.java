package io.flinkllmlingua.training;

/**
 * One training epoch's numbers: the weighted mean training loss over its steps, and the held-out tokens' mean log
 * loss and accuracy at p(keep) = 0.5 after it (NaN without validation).
 */
public record EpochMetrics(int epoch, double trainLoss, double validationLoss, double validationAccuracy) {}
