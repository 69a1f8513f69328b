package io.flinkllmlingua.models.internal;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static io.flinkllmlingua.models.internal.TestGraphs.floatAttr;
import static io.flinkllmlingua.models.internal.TestGraphs.gaussian;
import static io.flinkllmlingua.models.internal.TestGraphs.info;
import static io.flinkllmlingua.models.internal.TestGraphs.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code LayerNorm((x + bias) + residual)} becomes one SkipLayerNormalization that computes the same values, in both
 * forms of the LayerNorm; sums without a bias Add, and blocks whose intermediate values are read elsewhere, stay.
 */
class SkipLayerNormFusionTest {
    private static final int BATCH = 2;
    private static final int TOKENS = 3;
    private static final int HIDDEN = 8;
    private static final float EPSILON = 1e-12f;

    @Test
    void theOnnxLayerNormalizationOperatorIsFused() throws Exception {
        GraphProto.Builder g = block();
        g.addNode(node("LayerNormalization", "ln", "sum", "gamma", "beta", "y")
                .addAttribute(floatAttr("epsilon", EPSILON)));
        assertFusedAndEqual(model(g, 17));
    }

    @Test
    void pyTorchsDecomposedLayerNormIsFused() throws Exception {
        GraphProto.Builder g = block();
        decomposedLayerNorm(g, "sum", "y");
        ModelProto.Builder m = model(g, 11);
        assertFusedAndEqual(m);
        assertTrue(m.getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("Constant")),
                "the exponent and epsilon constants went with the nodes that read them");
    }

    @Test
    void aSumWithoutABiasAddStays() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("no-bias");
        g.addInput(info("x", BATCH, TOKENS, HIDDEN)).addInput(info("residual", BATCH, TOKENS, HIDDEN))
                .addOutput(info("y", BATCH, TOKENS, HIDDEN));
        g.addInitializer(tensor("gamma", gaussian(new Random(1), HIDDEN), HIDDEN))
                .addInitializer(tensor("beta", gaussian(new Random(2), HIDDEN), HIDDEN));
        g.addNode(node("Add", "add", "x", "residual", "sum"));
        g.addNode(node("LayerNormalization", "ln", "sum", "gamma", "beta", "y"));
        ModelProto.Builder m = model(g, 17);
        ModelProto before = m.build();
        assertEquals(0, SkipLayerNormFusion.fuse(m));
        assertEquals(before, m.build());
    }

    @Test
    void aResidualSumReadOutsideTheBlockStays() {
        GraphProto.Builder g = block();
        g.addNode(node("LayerNormalization", "ln", "sum", "gamma", "beta", "y"));
        g.addOutput(info("sum", BATCH, TOKENS, HIDDEN)); // the sum is also an output: it must still be computed
        ModelProto.Builder m = model(g, 17);
        assertEquals(0, SkipLayerNormFusion.fuse(m));
        GraphProto.Builder g2 = block();
        decomposedLayerNorm(g2, "sum", "y");
        g2.addNode(node("Relu", "reads-the-centred-value", "ln/sub", "extra"));
        g2.addOutput(info("extra", BATCH, TOKENS, HIDDEN));
        assertEquals(0, SkipLayerNormFusion.fuse(model(g2, 11)));
    }

    /** {@code sum = (x + bias) + residual}, its inputs and the LayerNorm's parameters. */
    private static GraphProto.Builder block() {
        Random rnd = new Random(7);
        GraphProto.Builder g = GraphProto.newBuilder().setName("residual-block");
        g.addInput(info("x", BATCH, TOKENS, HIDDEN)).addInput(info("residual", BATCH, TOKENS, HIDDEN))
                .addOutput(info("y", BATCH, TOKENS, HIDDEN));
        g.addInitializer(tensor("bias", gaussian(rnd, HIDDEN), HIDDEN))
                .addInitializer(tensor("gamma", gaussian(rnd, HIDDEN), HIDDEN))
                .addInitializer(tensor("beta", gaussian(rnd, HIDDEN), HIDDEN));
        g.addNode(node("Add", "bias-add", "bias", "x", "biased"));
        g.addNode(node("Add", "residual-add", "biased", "residual", "sum"));
        return g;
    }

    /** The opset-11 export's LayerNorm, with its exponent and epsilon as Constant nodes. */
    private static void decomposedLayerNorm(GraphProto.Builder g, String x, String y) {
        g.addNode(constant("ln/two", 2f));
        g.addNode(constant("ln/eps", EPSILON));
        g.addNode(node("ReduceMean", "ln/mean", x, "ln/mean").addAttribute(axesLast()));
        g.addNode(node("Sub", "ln/sub", x, "ln/mean", "ln/sub"));
        g.addNode(node("Pow", "ln/pow", "ln/sub", "ln/two", "ln/pow"));
        g.addNode(node("ReduceMean", "ln/var", "ln/pow", "ln/var").addAttribute(axesLast()));
        g.addNode(node("Add", "ln/add-eps", "ln/var", "ln/eps", "ln/var-eps"));
        g.addNode(node("Sqrt", "ln/sqrt", "ln/var-eps", "ln/std"));
        g.addNode(node("Div", "ln/div", "ln/sub", "ln/std", "ln/norm"));
        g.addNode(node("Mul", "ln/mul", "ln/norm", "gamma", "ln/scaled"));
        g.addNode(node("Add", "ln/add-beta", "ln/scaled", "beta", y));
    }

    private static void assertFusedAndEqual(ModelProto.Builder m) throws Exception {
        ModelProto before = m.build();
        assertEquals(1, SkipLayerNormFusion.fuse(m));
        Set<String> ops = m.getGraph().getNodeList().stream().map(NodeProto::getOpType).collect(Collectors.toSet());
        assertEquals(Set.of("SkipLayerNormalization"), ops);
        assertTrue(m.getOpsetImportList().stream().anyMatch(o -> o.getDomain().equals("com.microsoft")));
        Random rnd = new Random(11);
        int n = BATCH * TOKENS * HIDDEN;
        Map<String, TestGraphs.Input> in = Map.of(
                "x", new TestGraphs.Input(gaussian(rnd, n), BATCH, TOKENS, HIDDEN),
                "residual", new TestGraphs.Input(gaussian(rnd, n), BATCH, TOKENS, HIDDEN));
        float[] expected = TestGraphs.run(before, in);
        float[] got = TestGraphs.run(m.build(), in);
        assertEquals(expected.length, got.length);
        for (int i = 0; i < expected.length; i++) {
            // Same arithmetic, the sum rounded in another order: a few ulps of values of order 1.
            assertEquals(expected[i], got[i], 1e-4, "element " + i);
        }
    }

    private static ModelProto.Builder model(GraphProto.Builder g, int opset) {
        return TestGraphs.model(g, 8, opset);
    }

    private static NodeProto.Builder node(String op, String name, String... inputsThenOutput) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name);
        for (int i = 0; i < inputsThenOutput.length - 1; i++) {
            n.addInput(inputsThenOutput[i]);
        }
        return n.addOutput(inputsThenOutput[inputsThenOutput.length - 1]);
    }

    private static NodeProto constant(String output, float v) {
        return NodeProto.newBuilder().setOpType("Constant").setName(output).addOutput(output)
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                        .setT(TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(v)))
                .build();
    }

    private static AttributeProto axesLast() {
        return AttributeProto.newBuilder().setName("axes").setType(AttributeProto.AttributeType.INTS).addInts(-1).build();
    }
}
