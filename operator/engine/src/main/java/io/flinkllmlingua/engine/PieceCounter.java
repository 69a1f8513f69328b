package io.flinkllmlingua.engine;

import io.flinkllmlingua.engine.internal.ModelTokenizer;

import java.nio.file.Path;

/** The model tokenizer of a model directory on its own, as the engine tokenizes, for measurement. */
public final class PieceCounter implements AutoCloseable {
    private final ModelTokenizer tokenizer;

    private PieceCounter(ModelTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    public static PieceCounter open(Path modelDir) {
        return new PieceCounter(ModelTokenizer.load(modelDir, null));
    }

    /** Model pieces of {@code text} (special tokens not included). */
    public int count(String text) {
        return tokenizer.tokenize(text).length;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
