package io.flinkllmlingua.engine;

import io.flinkllmlingua.engine.internal.ModelInput;
import io.flinkllmlingua.engine.internal.TokenScorer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Scores every position with one value; counts calls. For tests of the stages around the model. */
final class ConstantScorer implements TokenScorer {
    private final float value;
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger sequences = new AtomicInteger();

    ConstantScorer(float value) {
        this.value = value;
    }

    @Override
    public List<float[]> score(List<ModelInput> inputs) {
        calls.incrementAndGet();
        sequences.addAndGet(inputs.size());
        List<float[]> out = new ArrayList<>();
        for (ModelInput in : inputs) {
            float[] p = new float[in.length()];
            Arrays.fill(p, value);
            out.add(p);
        }
        return out;
    }

    @Override
    public void close() {}
}
