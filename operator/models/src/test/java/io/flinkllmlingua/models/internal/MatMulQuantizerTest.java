package io.flinkllmlingua.models.internal;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static io.flinkllmlingua.models.internal.TestGraphs.floatAttr;
import static io.flinkllmlingua.models.internal.TestGraphs.gaussian;
import static io.flinkllmlingua.models.internal.TestGraphs.info;
import static io.flinkllmlingua.models.internal.TestGraphs.intAttr;
import static io.flinkllmlingua.models.internal.TestGraphs.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Gemm path (no graph of this project has one): alpha, beta, transB and the bias survive quantisation. */
class MatMulQuantizerTest {
    @Test
    void gemmWithTransposedWeightAlphaAndBetaIsQuantised() throws Exception {
        int n = 5;
        int k = 16;
        int m = 8;
        Random rnd = new Random(3);
        float[] w = gaussian(rnd, m * k); // [m, k], used transposed
        float[] c = gaussian(rnd, m);
        GraphProto.Builder g = GraphProto.newBuilder().setName("gemm");
        g.addInput(info("x", n, k)).addOutput(info("z", n, m));
        g.addInitializer(tensor("W", w, m, k)).addInitializer(tensor("C", c, m));
        g.addNode(NodeProto.newBuilder().setOpType("Gemm").setName("gemm").addInput("x").addInput("W").addInput("C")
                .addOutput("y").addAttribute(intAttr("transB", 1)).addAttribute(floatAttr("alpha", 0.5f))
                .addAttribute(floatAttr("beta", 2f)));
        // Not a head: a Relu sits between the Gemm and the output.
        g.addNode(NodeProto.newBuilder().setOpType("Relu").setName("relu").addInput("y").addOutput("z"));
        ModelProto.Builder model = TestGraphs.model(g, 8, 17);
        ModelProto source = model.build();
        MatMulQuantizer.Result r = quantize(model);
        assertEquals(1, r.quantized());
        assertTrue(model.getGraph().getNodeList().stream().noneMatch(x -> x.getOpType().equals("Gemm")));
        float[] x = gaussian(rnd, n * k);
        float[] expected = run(source, x, n, k);
        float[] got = run(model.build(), x, n, k);
        assertCloseToFloat(expected, got);
    }

    /**
     * An old exporter's graph: opset 11, IR version 3, every initializer also listed as a graph input, and an
     * Unsqueeze whose axes are an attribute. The quantised graph runs on {@code x} alone.
     */
    @Test
    void anOpset11GraphThatListsItsWeightsAsInputsRunsOnItsRealInputAlone() throws Exception {
        int n = 4;
        int k = 16;
        int m = 6;
        Random rnd = new Random(5);
        float[] w = gaussian(rnd, k * m);
        float[] c = gaussian(rnd, m);
        GraphProto.Builder g = GraphProto.newBuilder().setName("old-export");
        g.addInput(info("x", n, k)).addInput(info("W", k, m)).addInput(info("C", m)).addOutput(info("z", 1, n, m));
        g.addInitializer(tensor("W", w, k, m)).addInitializer(tensor("C", c, m));
        g.addNode(NodeProto.newBuilder().setOpType("MatMul").setName("mm").addInput("x").addInput("W")
                .addOutput("y"));
        g.addNode(NodeProto.newBuilder().setOpType("Add").setName("bias").addInput("y").addInput("C")
                .addOutput("yb"));
        g.addNode(NodeProto.newBuilder().setOpType("Relu").setName("relu").addInput("yb").addOutput("r"));
        g.addNode(NodeProto.newBuilder().setOpType("Unsqueeze").setName("unsqueeze").addInput("r").addOutput("z")
                .addAttribute(AttributeProto.newBuilder().setName("axes").setType(AttributeProto.AttributeType.INTS)
                        .addInts(0)));
        ModelProto.Builder model = TestGraphs.model(g, 3, 11);
        ModelProto source = model.build();
        MatMulQuantizer.Result r = quantize(model);
        assertEquals(1, r.quantized());
        assertEquals(java.util.List.of("x", "C"), model.getGraph().getInputList().stream()
                .map(ValueInfoProto::getName).toList(), "the dropped weight left the inputs; the kept bias stays");
        assertTrue(model.getIrVersion() >= 7, "opset 13 needs IR version 7");
        float[] x = gaussian(rnd, n * k);
        float[] expected = run(source, x, n, k);
        float[] got = run(model.build(), x, n, k);
        assertEquals(n * m, got.length);
        assertCloseToFloat(expected, got);
    }

    /**
     * A row at the top of its range (uint8 255) times columns of equal weights: every pair of products that a
     * non-VNNI U8S8 kernel adds into an int16 would clamp if the weights reached 127. The result stays within the
     * rounding of the float one on every CPU, and no weight exceeds {@link MatMulQuantizer#WEIGHT_MAX}.
     */
    @Test
    void productsOfFullRangeRowsAndWeightsDoNotSaturate() throws Exception {
        int n = 2;
        int k = 64;
        int m = 4;
        Random rnd = new Random(11);
        float[] w = new float[k * m];
        for (int r = 0; r < k; r++) {
            w[r * m] = 1f;
            w[r * m + 1] = 0.5f;
            w[r * m + 2] = 0.1f + 0.9f * r / k;
            w[r * m + 3] = 0.2f + (float) rnd.nextDouble();
        }
        GraphProto.Builder g = GraphProto.newBuilder().setName("full-range");
        g.addInput(info("x", n, k)).addOutput(info("z", n, m));
        g.addInitializer(tensor("W", w, k, m));
        g.addNode(NodeProto.newBuilder().setOpType("MatMul").setName("mm").addInput("x").addInput("W")
                .addOutput("y"));
        g.addNode(NodeProto.newBuilder().setOpType("Relu").setName("relu").addInput("y").addOutput("z"));
        ModelProto.Builder model = TestGraphs.model(g, 8, 17);
        ModelProto source = model.build();
        assertEquals(1, quantize(model).quantized());
        int largest = 0;
        for (TensorProto t : model.getGraph().getInitializerList()) {
            if (t.getDataType() == TensorProto.DataType.INT8_VALUE) {
                for (byte b : t.getRawData().toByteArray()) {
                    largest = Math.max(largest, Math.abs(b));
                }
            }
        }
        assertEquals(MatMulQuantizer.WEIGHT_MAX, largest, "the weights use the whole range and no more");
        float[] x = new float[n * k];
        for (int i = 0; i < k; i++) {
            x[i] = 3f; // row 0: every value at the row's maximum, quantised to 255
            x[k + i] = i % 2 == 0 ? 2f : 1.9f; // row 1: pairs near the maximum
        }
        float[] expected = run(source, x, n, k);
        float[] got = run(model.build(), x, n, k);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], 0.01 * Math.abs(expected[i]), "element " + i);
        }
    }

    /** The default scheme's rewrite of {@code model}, in place; the test graphs hold their weights inline. */
    private static MatMulQuantizer.Result quantize(ModelProto.Builder model) {
        return MatMulQuantizer.quantize(model, MatMulQuantizer.Scheme.SYMMETRIC_UINT8,
                t -> OnnxModelFiles.floats(t, Path.of(".")));
    }

    /** Within 3 % of the largest float output, which must be a real signal (a Relu output not all zeros). */
    private static void assertCloseToFloat(float[] expected, float[] got) {
        assertEquals(expected.length, got.length);
        double maxAbs = 0;
        for (float v : expected) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        assertTrue(maxAbs > 1, "the Relu output is not all zeros");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], 0.03 * maxAbs, "element " + i);
        }
    }

    private static float[] run(ModelProto model, float[] x, int n, int k) throws Exception {
        return TestGraphs.run(model, Map.of("x", new TestGraphs.Input(x, n, k)));
    }
}
