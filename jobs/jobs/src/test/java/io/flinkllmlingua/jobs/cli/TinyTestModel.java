package io.flinkllmlingua.jobs.cli;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.testkit.TestData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A real model directory for the CLI tests: the WordPiece reference-vector tokenizer ({@code wordpiece-tiny}) with a
 * tiny ONNX token classifier written here. The graph is {@code logits = E[input_ids + token_type_ids] * mask}, with
 * {@code E} a {@code (vocab + 100) x 2} table of fixed values, so every token id has its own deterministic keep
 * probability, padding changes nothing and batching cannot change a result.
 */
final class TinyTestModel {
    static final String FIXTURE = "wordpiece-tiny";

    private TinyTestModel() {}

    /** Writes the model directory into {@code dir} (created if needed) and returns it. */
    static Path create(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path fixture = TestData.referenceVectors().resolve(FIXTURE);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json", "config.json")) {
            Files.copy(fixture.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        JsonNode vocab = new ObjectMapper().readTree(dir.resolve("tokenizer.json").toFile()).path("model").path("vocab");
        int rows = vocab.size() + 100;
        Files.write(dir.resolve("model.onnx"), graph(rows).toByteArray());
        return dir;
    }

    /** The logit of "keep" for token {@code id} (the "drop" logit is 0). */
    static float keepLogit(int id) {
        return ((id * 7919) % 23 - 11) / 4.0f;
    }

    private static ModelProto graph(int rows) {
        float[] table = new float[rows * 2];
        for (int id = 0; id < rows; id++) {
            table[2 * id + 1] = keepLogit(id);
        }
        TensorProto.Builder e = TensorProto.newBuilder().setName("E").setDataType(TensorProto.DataType.FLOAT.getNumber())
                .addDims(rows).addDims(2);
        for (float v : table) {
            e.addFloatData(v);
        }
        TensorProto axes = TensorProto.newBuilder().setName("axes").setDataType(TensorProto.DataType.INT64.getNumber())
                .addDims(1).addInt64Data(2).build();
        GraphProto g = GraphProto.newBuilder()
                .setName("tiny-token-classifier")
                .addInput(value("input_ids", TensorProto.DataType.INT64, "batch", "sequence"))
                .addInput(value("attention_mask", TensorProto.DataType.INT64, "batch", "sequence"))
                .addInput(value("token_type_ids", TensorProto.DataType.INT64, "batch", "sequence"))
                .addOutput(value("logits", TensorProto.DataType.FLOAT, "batch", "sequence", "2"))
                .addInitializer(e)
                .addInitializer(axes)
                .addNode(node("Add", List.of("input_ids", "token_type_ids"), "ids"))
                .addNode(node("Gather", List.of("E", "ids"), "scores").toBuilder()
                        .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(0)))
                .addNode(node("Cast", List.of("attention_mask"), "mask_f").toBuilder()
                        .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
                                .setI(TensorProto.DataType.FLOAT.getNumber())))
                .addNode(node("Unsqueeze", List.of("mask_f", "axes"), "mask_3d"))
                .addNode(node("Mul", List.of("scores", "mask_3d"), "logits"))
                .build();
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("flink-llmlingua-cli-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(g)
                .build();
    }

    private static NodeProto node(String op, List<String> inputs, String output) {
        return NodeProto.newBuilder().setOpType(op).setName(output + "_" + op).addAllInput(inputs).addOutput(output).build();
    }

    private static ValueInfoProto value(String name, TensorProto.DataType type, String... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (String d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d.chars().allMatch(Character::isDigit)) {
                dim.setDimValue(Long.parseLong(d));
            } else {
                dim.setDimParam(d);
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
                .build();
    }
}
