package io.flinkllmlingua.engine.internal;

import java.util.List;

/**
 * Replaces model-derived probabilities with recorded ones, so the stages after the model can be checked against
 * a recorded reference run when the model itself is not available. Not for production use.
 */
public interface ProbabilityOverride {
    /** Word probabilities of the {@code chunkSequence}-th chunk compressed in this call. */
    double[] wordProbabilities(int chunkSequence, List<String> words, double[] computed);

    /** Context scores of the context stage. */
    double[] contextScores(double[] computed);
}
