package io.flinkllmlingua.engine;

import io.flinkllmlingua.engine.internal.OnnxTokenClassifier;

/**
 * The engine's ONNX Runtime session on its own, for measurement: opened as the engine opens it, replaying
 * {@link ModelBatch}es recorded through {@link PromptCompressor}'s batch listener. Not needed to compress.
 */
public final class ModelSession implements AutoCloseable {
    private final OnnxTokenClassifier classifier;

    private ModelSession(EngineConfig config) {
        this.classifier = new OnnxTokenClassifier(config);
    }

    /** Opens a session with the engine's settings (provider, threads, optimisation level). */
    public static ModelSession open(EngineConfig config) {
        return new ModelSession(config);
    }

    /** Keep probabilities of one recorded model call, rows times length. */
    public float[] run(ModelBatch batch) {
        return classifier.keepProbabilities(batch.inputIds(), batch.attentionMask(), batch.rows(), batch.length());
    }

    public ExecutionProvider provider() {
        return classifier.provider();
    }

    @Override
    public void close() {
        classifier.close();
    }
}
