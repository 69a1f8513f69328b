package io.flinkllmlingua.engine;

import io.flinkllmlingua.engine.internal.OnnxTokenClassifier;

import java.util.List;

/**
 * The engine's ONNX Runtime sessions on their own, for measurement: opened as the engine opens them (the batch plan's
 * session count, each with its share of the threads), replaying {@link ModelBatch}es recorded through
 * {@link PromptCompressor}'s batch listener. Not needed to compress.
 */
public final class ModelSession implements AutoCloseable {
    private final List<OnnxTokenClassifier> classifiers;

    private ModelSession(EngineConfig config) {
        this.classifiers = OnnxTokenClassifier.openSessions(config);
    }

    /** Opens the sessions with the engine's settings (provider, sessions, threads, optimisation level). */
    public static ModelSession open(EngineConfig config) {
        return new ModelSession(config);
    }

    /**
     * How many sessions are open; each may run one call at a time, all of them concurrently (on CPU, sessions of one
     * thread each run their calls on one shared ONNX Runtime session).
     */
    public int sessions() {
        return classifiers.size();
    }

    /** Keep probabilities of one recorded model call, rows times length, on the first session. */
    public float[] run(ModelBatch batch) {
        return run(0, batch);
    }

    /** {@link #run(ModelBatch)} on session {@code session} (0 to {@link #sessions()} - 1). */
    public float[] run(int session, ModelBatch batch) {
        return classifiers.get(session).keepProbabilities(batch.inputIds(), batch.attentionMask(), batch.rows(),
                batch.length());
    }

    public ExecutionProvider provider() {
        return classifiers.get(0).provider();
    }

    @Override
    public void close() {
        classifiers.forEach(OnnxTokenClassifier::close);
    }
}
