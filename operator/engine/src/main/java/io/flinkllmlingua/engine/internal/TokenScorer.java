package io.flinkllmlingua.engine.internal;

import java.util.List;

/** Gives each position of each model input its keep probability (softmax index 1, as a float32 value). */
public interface TokenScorer extends AutoCloseable {
    /** Blocks until all inputs are scored; result i has one value per position of input i. */
    List<float[]> score(List<ModelInput> inputs);

    @Override
    void close();
}
