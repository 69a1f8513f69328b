package io.flinkllmlingua.models;

import io.flinkllmlingua.engine.ModelFamily;

import java.nio.file.Path;

/**
 * What {@link CheckpointImporter} wrote.
 *
 * @param directory          the model directory
 * @param architecture       the checkpoint's architecture as config.json names it (e.g. {@code BertForTokenClassification})
 * @param family             tokenizer family and graph inputs
 * @param layers             encoder layers
 * @param hidden             hidden size
 * @param output             the graph's output: {@code logits} (token classifier) or {@code last_hidden_state} (encoder)
 * @param baseVocabSize      tokenizer ids below the placeholders; {@code [NEWi]} is id {@code baseVocabSize + i}
 * @param embeddingRows      rows of the word embedding in the graph ({@code baseVocabSize + 100})
 * @param copiedPlaceholders placeholder rows the checkpoint lacked, filled with copies of the unknown-token row (0 when
 *                           the checkpoint carries its own trained {@code [NEWi]} rows, as the LLMLingua-2 releases do)
 * @param parameterCount     float weights in the graph
 * @param modelBytes         size of {@code model.onnx}
 * @param externalBytes      size of {@code model.onnx_data} (0 when all weights are inside {@code model.onnx})
 * @param millis             conversion time
 */
public record ImportedModel(Path directory, String architecture, ModelFamily family, int layers, int hidden,
                            String output, int baseVocabSize, int embeddingRows, int copiedPlaceholders,
                            long parameterCount, long modelBytes, long externalBytes, long millis) {
}
