package io.flinkllmlingua.engine;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.TinyModelGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Half-precision exports (e.g. ORT's float16 conversion) produce float16 logits; the engine reads them through
 * ONNX Runtime's widening to float and makes the same decisions, up to float16 rounding near the threshold.
 */
class Fp16ModelTest {

    /** Rewrites the graph so that its {@code logits} output is float16 (a Cast after the float32 head). */
    static void castLogitsToFloat16(Path modelFile) throws Exception {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(modelFile));
        GraphProto.Builder g = model.getGraph().toBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto.Builder n = g.getNodeBuilder(i);
            for (int k = 0; k < n.getOutputCount(); k++) {
                if (n.getOutput(k).equals("logits")) {
                    n.setOutput(k, "logits_fp32");
                }
            }
        }
        g.addNode(NodeProto.newBuilder().setOpType("Cast").setName("to_fp16").addInput("logits_fp32").addOutput("logits")
                .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
                        .setI(TensorProto.DataType.FLOAT16_VALUE)));
        for (int i = 0; i < g.getOutputCount(); i++) {
            ValueInfoProto.Builder out = g.getOutputBuilder(i);
            if (out.getName().equals("logits")) {
                out.getTypeBuilder().getTensorTypeBuilder().setElemType(TensorProto.DataType.FLOAT16_VALUE);
            }
        }
        Files.write(modelFile, model.toBuilder().setGraph(g).build().toByteArray());
    }

    @Test
    void float16LogitsGiveTheSameCompression(@TempDir Path dir) throws Exception {
        Path fp32 = dir.resolve("fp32");
        Path fp16 = dir.resolve("fp16");
        TinyModelGenerator.generateTiny(fp32, GeneratedFamily.SENTENCEPIECE);
        TinyModelGenerator.generateTiny(fp16, GeneratedFamily.SENTENCEPIECE);
        castLogitsToFloat16(fp16.resolve("model.onnx"));
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OrtSession s = env.createSession(fp16.resolve("model.onnx").toString())) {
            ai.onnxruntime.TensorInfo info = (ai.onnxruntime.TensorInfo) s.getOutputInfo().get("logits").getInfo();
            assertEquals(ai.onnxruntime.OnnxJavaType.FLOAT16, info.type, "the rewritten graph outputs float16");
        }
        String text = "The GNU General Public License is a free, copyleft license for software and other kinds of "
                + "works. The licenses for most software are designed to take away your freedom to share and change.";
        CompressionOptions o = CompressionOptions.referenceBuilder().rate(0.5).returnWordLabel(true).build();
        try (PromptCompressor a = PromptCompressor.open(EngineConfig.builder(fp32).executionProvider(ExecutionProvider.CPU).build());
             PromptCompressor b = PromptCompressor.open(EngineConfig.builder(fp16).executionProvider(ExecutionProvider.CPU).build())) {
            CompressionResult ra = a.compress(List.of(text), o);
            CompressionResult rb = b.compress(List.of(text), o);
            List<WordLabel> la = ra.wordLabels().get(0);
            List<WordLabel> lb = rb.wordLabels().get(0);
            assertEquals(la.size(), lb.size());
            long same = 0;
            for (int i = 0; i < la.size(); i++) {
                if (la.get(i).equals(lb.get(i))) {
                    same++;
                }
            }
            assertTrue(same >= la.size() - 2, same + " of " + la.size() + " decisions agree");
            assertTrue(rb.compressedTokens() > 0 && rb.compressedTokens() < rb.originTokens());
        }
    }
}
