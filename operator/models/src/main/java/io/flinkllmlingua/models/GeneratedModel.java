package io.flinkllmlingua.models;

import java.nio.file.Path;

/**
 * What {@link TinyModelGenerator#generate(Path, ModelSpec)} wrote.
 *
 * @param directory        the model directory ({@code model.onnx}, {@code tokenizer.json},
 *                         {@code tokenizer_config.json}, {@code config.json})
 * @param spec             the spec it was generated from
 * @param baseVocabSize    tokenizer vocabulary size; {@code [NEWi]} is id {@code baseVocabSize + i}
 * @param embeddingRows    rows of the word embedding ({@code baseVocabSize + 100})
 * @param parameterCount   float weights in the graph
 * @param modelBytes       size of {@code model.onnx}
 * @param externalDataFile {@code model.onnx_data}, or null when all weights are inside {@code model.onnx}
 * @param externalBytes    size of the external data file (0 when none)
 * @param millis           generation time
 */
public record GeneratedModel(Path directory, ModelSpec spec, int baseVocabSize, int embeddingRows,
                             long parameterCount, long modelBytes, Path externalDataFile, long externalBytes,
                             long millis) {

    public Path modelFile() {
        return directory.resolve(TinyModelGenerator.MODEL_FILE);
    }

    public Path tokenizerFile() {
        return directory.resolve(TinyModelGenerator.TOKENIZER_FILE);
    }
}
