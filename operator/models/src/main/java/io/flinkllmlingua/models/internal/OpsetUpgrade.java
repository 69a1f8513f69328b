package io.flinkllmlingua.models.internal;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.util.HashSet;
import java.util.Set;

/**
 * Moves an opset 11/12 encoder graph to opset 13, where QuantizeLinear/DequantizeLinear take a per-axis scale (the
 * per-row activation scale needs it). Of the operators a BERT-style encoder uses, opset 13 changed: Unsqueeze,
 * Squeeze, ReduceSum and Split (axes/split became inputs; rewritten here) and Softmax/LogSoftmax (opset 13 normalises
 * over {@code axis} alone, older opsets over all axes from {@code axis} on: identical for the last axis, so only
 * {@code axis = -1} and the last axis of the attention scores, 3, are accepted). Any other operator outside
 * {@link #UNCHANGED} is refused rather than guessed.
 */
final class OpsetUpgrade {
    /** Operators whose opset-11 and opset-13 meaning are the same (13 only added types). */
    static final Set<String> UNCHANGED = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Erf", "Tanh", "Relu",
            "MatMul", "Gemm", "Cast", "Gather", "Concat", "Reshape", "Shape", "Transpose", "Slice", "Constant",
            "ConstantOfShape", "DequantizeLinear", "QuantizeLinear", "DynamicQuantizeLinear", "MatMulInteger",
            "ReduceMean", "ReduceMax", "ReduceMin", "Identity", "Equal", "Not", "Where", "CumSum", "Range", "Expand",
            "Neg", "Abs", "Sigmoid", "Clip", "Round", "Min", "Max", "Flatten", "Less", "Greater", "And", "Or");

    /** The first IR version that may import opset 13 (ONNX 1.8). */
    static final long IR_VERSION_OF_OPSET_13 = 7;

    private OpsetUpgrade() {}

    static void to13(ModelProto.Builder model) {
        if (model.getIrVersion() < IR_VERSION_OF_OPSET_13) {
            model.setIrVersion(IR_VERSION_OF_OPSET_13);
        }
        for (int i = 0; i < model.getOpsetImportCount(); i++) {
            OperatorSetIdProto o = model.getOpsetImport(i);
            if (OnnxGraphs.isDefaultDomain(o.getDomain())) {
                model.setOpsetImport(i, o.toBuilder().setVersion(13));
            }
        }
        GraphProto.Builder g = model.getGraphBuilder();
        Set<String> names = new HashSet<>();
        g.getInitializerList().forEach(t -> names.add(t.getName()));
        g.getNodeList().forEach(n -> names.addAll(n.getOutputList()));
        g.getInputList().forEach(i -> names.add(i.getName()));
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            if (!OnnxGraphs.isDefaultDomain(n.getDomain())) {
                continue;
            }
            String op = n.getOpType();
            switch (op) {
                case "Unsqueeze", "Squeeze", "ReduceSum" -> g.setNode(i, attributeToInput(g, names, n, "axes"));
                case "Split" -> g.setNode(i, attributeToInput(g, names, n, "split"));
                case "Softmax", "LogSoftmax" -> {
                    long axis = 1;
                    for (AttributeProto a : n.getAttributeList()) {
                        if (a.getName().equals("axis")) {
                            axis = a.getI();
                        }
                    }
                    if (axis != -1 && axis != 3) {
                        throw new IllegalArgumentException("opset " + model.getOpsetImport(0).getVersion() + " "
                                + op + " over axis " + axis + " cannot be moved to opset 13 safely");
                    }
                }
                default -> {
                    if (!UNCHANGED.contains(op)) {
                        throw new IllegalArgumentException("operator " + op + " (node " + n.getName() + ") is not"
                                + " known to keep its meaning from opset 11 to 13");
                    }
                }
            }
        }
    }

    private static NodeProto attributeToInput(GraphProto.Builder g, Set<String> names, NodeProto n, String attr) {
        AttributeProto found = null;
        NodeProto.Builder b = n.toBuilder().clearAttribute();
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(attr)) {
                found = a;
            } else {
                b.addAttribute(a);
            }
        }
        if (found == null) {
            return n;
        }
        String base = (n.getName().isEmpty() ? n.getOutput(0) : n.getName()) + "_" + attr;
        String name = base;
        for (int i = 1; names.contains(name); i++) {
            name = base + "_" + i;
        }
        names.add(name);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(found.getIntsCount());
        found.getIntsList().forEach(t::addInt64Data);
        g.addInitializer(t);
        // Split's second input and Squeeze/Unsqueeze/ReduceSum's second input.
        while (b.getInputCount() < 1) {
            b.addInput("");
        }
        if (b.getInputCount() > 1) {
            throw new IllegalArgumentException("node " + n.getName() + " has both an " + attr + " attribute and a"
                    + " second input");
        }
        return b.addInput(name).build();
    }
}
