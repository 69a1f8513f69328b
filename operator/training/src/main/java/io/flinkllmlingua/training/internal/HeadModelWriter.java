package io.flinkllmlingua.training.internal;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.models.minilm.MiniLmModelBuilder;
import io.flinkllmlingua.training.HeadTraining;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes the trained model directory: the base encoder's graph with the head appended
 * ({@link MiniLmModelBuilder#addClassifierHead}: {@code logits = MatMul(last_hidden_state, W) + b}, the only
 * output), the base's tokenizer files, and its {@code config.json} with {@code id2label}/{@code label2id} for
 * drop/keep added when it has none.
 */
public final class HeadModelWriter {
    /** Tokenizer files copied from the base when present. */
    static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "vocab.txt", "sentencepiece.bpe.model");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HeadModelWriter() {}

    public static void write(Path base, Path out, float[] weight, float[] bias, String note) throws IOException {
        Files.createDirectories(out);
        ModelProto.Builder model;
        try (InputStream in = Files.newInputStream(base.resolve("model.onnx"))) {
            model = ModelProto.parseFrom(in).toBuilder();
        }
        List<String> outputs = model.getGraph().getOutputList().stream().map(o -> o.getName()).toList();
        String features = HeadTraining.FEATURE_OUTPUTS.stream().filter(outputs::contains).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(base.resolve("model.onnx") + " has no output "
                        + HeadTraining.FEATURE_OUTPUTS + " (outputs: " + outputs + ")"));
        MiniLmModelBuilder.addClassifierHead(model.getGraphBuilder(), features, weight, bias);
        model.addMetadataProps(StringStringEntryProto.newBuilder().setKey("training").setValue(note));
        Path tmp = out.resolve("model.onnx.tmp");
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            model.build().writeTo(o);
        }
        Files.move(tmp, out.resolve("model.onnx"), StandardCopyOption.REPLACE_EXISTING);
        for (String f : TOKENIZER_FILES) {
            if (Files.isRegularFile(base.resolve(f))) {
                Files.copy(base.resolve(f), out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        ObjectNode config = Files.isRegularFile(base.resolve("config.json"))
                ? (ObjectNode) JSON.readTree(base.resolve("config.json").toFile()) : JSON.createObjectNode();
        if (!config.has("id2label")) {
            config.putObject("id2label").put("0", "drop").put("1", "keep");
            config.putObject("label2id").put("drop", 0).put("keep", 1);
        }
        config.put("num_labels", 2);
        JsonNode arch = config.get("architectures");
        if (arch == null || arch.toString().contains("\"BertModel\"") || arch.toString().contains("\"XLMRobertaModel\"")) {
            config.putArray("architectures").add(arch != null && arch.toString().contains("XLMRoberta")
                    ? "XLMRobertaForTokenClassification" : "BertForTokenClassification");
        }
        config.put("note", note);
        JSON.writeValue(out.resolve("config.json").toFile(), config);
    }
}
