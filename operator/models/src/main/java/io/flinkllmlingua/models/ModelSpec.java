package io.flinkllmlingua.models;

import java.util.Objects;

/**
 * Shape and seed of a generated model.
 *
 * @param family        tokenizer family and graph inputs
 * @param layers        number of transformer encoder layers (0 allowed: embeddings, normalisation and classifier only)
 * @param hidden        hidden size
 * @param heads         attention heads ({@code hidden % heads == 0})
 * @param ffn           feed-forward (intermediate) size
 * @param seed          seed of every weight; the same spec gives a byte-identical {@code model.onnx}
 * @param vocabSize     base vocabulary size (tokenizer ids, without the 100 {@code [NEWi]} placeholders), or 0 for
 *                      the natural size of the built-in vocabulary. A larger value pads the tokenizer with
 *                      never-matching filler pieces, to reproduce the official shapes (mBERT 119547, XLM-R 250002).
 * @param weightStorage where the weights go: inside {@code model.onnx} or in {@code model.onnx_data} next to it
 */
public record ModelSpec(GeneratedFamily family, int layers, int hidden, int heads, int ffn, long seed,
                        int vocabSize, WeightStorage weightStorage) {

    /** Maximum sequence length: the number of position-embedding rows, as in BERT and XLM-R. */
    public static final int MAX_POSITIONS = 512;
    /** Ids {@code base .. base+99} are the engine's {@code [NEW0]..[NEW99]} placeholders. */
    public static final int PLACEHOLDER_ROWS = 100;
    /** Default seed of {@link #tiny(GeneratedFamily)}. */
    public static final long DEFAULT_SEED = 42L;

    /** Where the generator stores the weights. */
    public enum WeightStorage {
        /** {@link #EXTERNAL} when the weights exceed 1 GiB, else {@link #EMBEDDED}. */
        AUTO,
        /** Everything in {@code model.onnx} (a protobuf file cannot exceed 2 GiB). */
        EMBEDDED,
        /** Large tensors in {@code model.onnx_data} (ONNX external data), the graph in {@code model.onnx}. */
        EXTERNAL
    }

    public ModelSpec {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(weightStorage, "weightStorage");
        if (layers < 0 || layers > 256) {
            throw new IllegalArgumentException("layers must be in 0..256: " + layers);
        }
        if (hidden < 1 || heads < 1 || hidden % heads != 0) {
            throw new IllegalArgumentException("hidden (" + hidden + ") must be a positive multiple of heads (" + heads + ")");
        }
        if (ffn < 1) {
            throw new IllegalArgumentException("ffn must be positive: " + ffn);
        }
        if (vocabSize < 0) {
            throw new IllegalArgumentException("vocabSize must be 0 (natural) or positive: " + vocabSize);
        }
    }

    /** 2 layers, hidden 64, 4 heads, ffn 128, seed {@value #DEFAULT_SEED}, natural vocabulary, embedded weights. */
    public static ModelSpec tiny(GeneratedFamily family) {
        return new ModelSpec(family, 2, 64, 4, 128, DEFAULT_SEED, 0, WeightStorage.AUTO);
    }

    /**
     * Random weights with the official LLMLingua-2 shapes: mBERT-base (12 layers, 768 hidden, 12 heads, 3072 ffn,
     * vocabulary 119547, about 0.7 GB) or XLM-R-large (24/1024/16/4096, vocabulary 250002, about 2.2 GB, so
     * external data). Keep decisions are meaningless.
     */
    public static ModelSpec officialShape(GeneratedFamily family) {
        return family == GeneratedFamily.WORDPIECE
                ? new ModelSpec(family, 12, 768, 12, 3072, DEFAULT_SEED, 119547, WeightStorage.AUTO)
                : new ModelSpec(family, 24, 1024, 16, 4096, DEFAULT_SEED, 250002, WeightStorage.AUTO);
    }

    public ModelSpec withSeed(long newSeed) {
        return new ModelSpec(family, layers, hidden, heads, ffn, newSeed, vocabSize, weightStorage);
    }

    public ModelSpec withShape(int newLayers, int newHidden, int newHeads, int newFfn) {
        return new ModelSpec(family, newLayers, newHidden, newHeads, newFfn, seed, vocabSize, weightStorage);
    }

    public ModelSpec withVocabSize(int newVocabSize) {
        return new ModelSpec(family, layers, hidden, heads, ffn, seed, newVocabSize, weightStorage);
    }

    public ModelSpec withWeightStorage(WeightStorage storage) {
        return new ModelSpec(family, layers, hidden, heads, ffn, seed, vocabSize, storage);
    }

    /** Number of float weights for a base vocabulary of {@code baseVocab} pieces. */
    public long parameterCount(int baseVocab) {
        long h = hidden;
        long embeddings = (long) (baseVocab + PLACEHOLDER_ROWS) * h + (long) MAX_POSITIONS * h
                + (family == GeneratedFamily.WORDPIECE ? 2 * h : 0) + 2 * h;
        long perLayer = 4 * (h * h + h) + 2 * h + (h * ffn + ffn) + ((long) ffn * h + h) + 2 * h;
        return embeddings + layers * perLayer + 2 * h + 2;
    }
}
