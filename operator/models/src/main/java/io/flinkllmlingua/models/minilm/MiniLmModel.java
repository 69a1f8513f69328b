package io.flinkllmlingua.models.minilm;

import java.nio.file.Path;

/**
 * What {@link MiniLmModelBuilder#build(Path)} wrote.
 *
 * @param directory            model directory ({@code model.onnx}, {@code tokenizer.json},
 *                             {@code tokenizer_config.json}, {@code config.json})
 * @param variant              float or shipped int8 MatMuls
 * @param baseVocabSize        tokenizer vocabulary size (30522); {@code [NEWi]} is id {@code baseVocabSize + i}
 * @param embeddingRows        rows of the extended word embedding (30622)
 * @param embeddingInitializer name of the word-embedding initializer that was extended
 * @param modelBytes           size of {@code model.onnx}
 * @param millis               build time
 */
public record MiniLmModel(Path directory, MiniLmModelBuilder.Variant variant, int baseVocabSize, int embeddingRows,
                          String embeddingInitializer, long modelBytes, long millis) {

    public Path modelFile() {
        return directory.resolve(MiniLmModelBuilder.MODEL_FILE);
    }

    public Path tokenizerFile() {
        return directory.resolve(MiniLmModelBuilder.TOKENIZER_FILE);
    }
}
