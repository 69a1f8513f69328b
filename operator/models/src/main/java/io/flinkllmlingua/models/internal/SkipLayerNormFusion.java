package io.flinkllmlingua.models.internal;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.flinkllmlingua.models.internal.OnnxGraphs.MICROSOFT;
import static io.flinkllmlingua.models.internal.OnnxGraphs.floatAttr;
import static io.flinkllmlingua.models.internal.OnnxGraphs.intAttr;

/**
 * Fuses each transformer residual block's tail, {@code LayerNorm((x + bias) + residual)}, into one ONNX Runtime
 * {@code com.microsoft:SkipLayerNormalization(x, residual, gamma, beta, bias)}: the bias Add, the residual Add and the
 * normalisation become one row-wise pass instead of three passes over the activation.
 *
 * <p>Why by hand: ONNX Runtime's own SkipLayerNormFusion needs static shapes, which the quantised graph's computed
 * Reshapes do not give it, so it leaves these nodes apart. The LayerNorm is recognised as the ONNX
 * {@code LayerNormalization} operator (last axis, one output) or as the decomposition PyTorch's opset-11 exports write
 * ({@code ReduceMean, Sub, Pow 2, ReduceMean, Add eps, Sqrt, Div, Mul gamma, Add beta}). Only sums where one side is a
 * bias Add (a 1-D initializer as wide as gamma) are fused: that is the residual of every layer, and it leaves the
 * embeddings' LayerNorm (a sum of three lookups, one of them broadcast over the batch) as it is.
 *
 * <p>The operator adds {@code (x + residual) + bias} where the graph added {@code (x + bias) + residual}, so the sum
 * is rounded in another order (a few ulps); every step still reads one row, so a sequence's result stays independent
 * of its batch and padding.
 */
public final class SkipLayerNormFusion {
    private final GraphProto.Builder graph;
    private final Map<String, TensorProto> inits = new HashMap<>();
    private final Map<String, NodeProto> producer;
    private final Map<String, List<NodeProto>> consumers;
    private final Set<String> graphOutputs;
    private final int opset;
    /** Nodes already part of a fusion: the first node of a group maps to the fused node, the others are dropped. */
    private final Map<NodeProto, NodeProto> replace = new IdentityHashMap<>();
    private final Set<NodeProto> drop = Collections.newSetFromMap(new IdentityHashMap<>());

    private SkipLayerNormFusion(ModelProto.Builder model) {
        this.graph = model.getGraphBuilder();
        this.opset = OnnxGraphs.defaultOpset(model);
        for (TensorProto t : graph.getInitializerList()) {
            inits.put(t.getName(), t);
        }
        this.producer = OnnxGraphs.producers(graph);
        this.consumers = OnnxGraphs.consumers(graph);
        this.graphOutputs = OnnxGraphs.outputNames(graph);
    }

    /** Rewrites {@code model}'s graph in place; returns the number of SkipLayerNormalization nodes written. */
    public static int fuse(ModelProto.Builder model) {
        SkipLayerNormFusion f = new SkipLayerNormFusion(model);
        int fused = f.run();
        if (fused > 0) {
            OnnxGraphs.importDomain(model, MICROSOFT);
        }
        return fused;
    }

    /** One LayerNorm found in the graph: its input, parameters, output and the nodes it is made of. */
    private record LayerNorm(String x, String gamma, String beta, float epsilon, String y, List<NodeProto> nodes) {}

    private int run() {
        int fused = 0;
        for (NodeProto n : graph.getNodeList()) {
            LayerNorm ln = layerNorm(n);
            if (ln == null || ln.nodes.stream().anyMatch(this::taken)) {
                continue;
            }
            NodeProto sum = producer.get(ln.x);
            if (sum == null || !isPlain(sum, "Add") || sum.getInputCount() != 2 || !onlyReadBy(ln.x, ln.nodes)
                    || taken(sum)) {
                continue;
            }
            long width = length(ln.gamma);
            String input = null;
            String skip = null;
            String bias = null;
            NodeProto biasAdd = null;
            for (int side = 0; side < 2 && biasAdd == null; side++) {
                NodeProto a = producer.get(sum.getInput(side));
                if (a == null || !isPlain(a, "Add") || a.getInputCount() != 2 || taken(a)
                        || !onlyReadBy(a.getOutput(0), List.of(sum))) {
                    continue;
                }
                for (int k = 0; k < 2; k++) {
                    String b = a.getInput(k);
                    if (width > 0 && length(b) == width && !inits.containsKey(a.getInput(1 - k))) {
                        biasAdd = a;
                        bias = b;
                        input = a.getInput(1 - k);
                        skip = sum.getInput(1 - side);
                        break;
                    }
                }
            }
            if (biasAdd == null || inits.containsKey(skip)) {
                continue;
            }
            NodeProto.Builder skipLn = NodeProto.newBuilder().setOpType("SkipLayerNormalization").setDomain(MICROSOFT)
                    .setName(ln.y + "_skip_layer_norm").addInput(input).addInput(skip).addInput(ln.gamma)
                    .addInput(ln.beta == null ? "" : ln.beta).addInput(bias).addOutput(ln.y)
                    .addAttribute(AttributeProto.newBuilder().setName("epsilon")
                            .setType(AttributeProto.AttributeType.FLOAT).setF(ln.epsilon));
            replace.put(biasAdd, skipLn.build());
            drop.add(sum);
            drop.addAll(ln.nodes);
            fused++;
        }
        if (fused == 0) {
            return 0;
        }
        List<NodeProto> nodes = new ArrayList<>();
        for (NodeProto n : graph.getNodeList()) {
            NodeProto r = replace.get(n);
            if (r != null) {
                nodes.add(r);
            } else if (!drop.contains(n)) {
                nodes.add(n);
            }
        }
        // Constant nodes that only fed the removed nodes (the exponent 2, epsilon).
        Set<String> read = new HashSet<>(graphOutputs);
        nodes.forEach(n -> read.addAll(n.getInputList()));
        nodes.removeIf(n -> n.getOpType().equals("Constant") && n.getDomain().isEmpty()
                && !read.contains(n.getOutput(0)));
        graph.clearNode().addAllNode(nodes);
        return fused;
    }

    private boolean taken(NodeProto n) {
        return replace.containsKey(n) || drop.contains(n);
    }

    /** The LayerNorm whose last node (or only node) is {@code n}, or null. */
    private LayerNorm layerNorm(NodeProto n) {
        if (isPlain(n, "LayerNormalization")) {
            if (n.getOutputCount() > 1 && n.getOutputList().subList(1, n.getOutputCount()).stream()
                    .anyMatch(o -> !o.isEmpty())) {
                return null; // mean / inverse std-dev are read: not a plain LayerNorm
            }
            if (intAttr(n, "axis", -1) != -1 || intAttr(n, "stash_type", 1) != 1 || n.getInputCount() < 2
                    || !isFloatInit(n.getInput(1))) {
                return null;
            }
            String beta = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? n.getInput(2) : null;
            if (beta != null && !isFloatInit(beta)) {
                return null;
            }
            return new LayerNorm(n.getInput(0), n.getInput(1), beta, floatAttr(n, "epsilon", 1e-5f), n.getOutput(0),
                    List.of(n));
        }
        return decomposed(n);
    }

    /**
     * {@code y = Add(Mul(Div(d, Sqrt(Add(ReduceMean(Pow(d, 2)), eps))), gamma), beta)} with
     * {@code d = Sub(x, ReduceMean(x))}, every reduction over the last axis, every intermediate read only inside.
     */
    private LayerNorm decomposed(NodeProto addBeta) {
        if (!isPlain(addBeta, "Add") || addBeta.getInputCount() != 2) {
            return null;
        }
        int betaSide = floatInitSide(addBeta);
        NodeProto mulGamma = besideConstant(addBeta, betaSide, "Mul");
        if (mulGamma == null) {
            return null;
        }
        int gammaSide = floatInitSide(mulGamma);
        NodeProto div = besideConstant(mulGamma, gammaSide, "Div");
        if (div == null) {
            return null;
        }
        NodeProto sqrt = single(div.getInput(1), "Sqrt", div);
        NodeProto sub = producer.get(div.getInput(0));
        if (sqrt == null || sub == null || !isPlain(sub, "Sub")) {
            return null;
        }
        NodeProto addEps = single(sqrt.getInput(0), "Add", sqrt);
        if (addEps == null) {
            return null;
        }
        int epsSide = scalar(addEps.getInput(1)) != null ? 1 : scalar(addEps.getInput(0)) != null ? 0 : -1;
        NodeProto variance = besideConstant(addEps, epsSide, "ReduceMean");
        if (variance == null || !lastAxisMean(variance)) {
            return null;
        }
        NodeProto pow = single(variance.getInput(0), "Pow", variance);
        Float exponent = pow == null ? null : scalar(pow.getInput(1));
        if (exponent == null || exponent != 2f || !pow.getInput(0).equals(sub.getOutput(0))) {
            return null;
        }
        String x = sub.getInput(0);
        NodeProto mean = producer.get(sub.getInput(1));
        if (mean == null || !isPlain(mean, "ReduceMean") || !lastAxisMean(mean) || !mean.getInput(0).equals(x)
                || !onlyReadBy(mean.getOutput(0), List.of(sub)) || !onlyReadBy(sub.getOutput(0), List.of(pow, div))) {
            return null;
        }
        List<NodeProto> nodes = List.of(mean, sub, pow, variance, addEps, sqrt, div, mulGamma, addBeta);
        if (!onlyReadBy(x, List.of(mean, sub))) {
            return null;
        }
        return new LayerNorm(x, mulGamma.getInput(gammaSide), addBeta.getInput(betaSide), scalar(addEps.getInput(epsSide)),
                addBeta.getOutput(0), nodes);
    }

    /**
     * The producer of {@code node}'s other input than its constant one ({@code constantSide}, -1 when it has none),
     * if it is a plain {@code op} read by {@code node} alone.
     */
    private NodeProto besideConstant(NodeProto node, int constantSide, String op) {
        return constantSide < 0 ? null : single(node.getInput(1 - constantSide), op, node);
    }

    /** The producer of {@code value} if it is a plain {@code op} read by {@code reader} alone. */
    private NodeProto single(String value, String op, NodeProto reader) {
        NodeProto p = producer.get(value);
        if (p == null || !isPlain(p, op) || !onlyReadBy(value, List.of(reader))) {
            return null;
        }
        return p;
    }

    private boolean lastAxisMean(NodeProto n) {
        if (intAttr(n, "keepdims", 1) != 1) {
            return false;
        }
        if (opset >= 18) {
            return n.getInputCount() == 2 && axes(n.getInput(1));
        }
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("axes")) {
                return a.getIntsCount() == 1 && a.getInts(0) == -1;
            }
        }
        return false;
    }

    private boolean axes(String name) {
        TensorProto t = constant(name);
        if (t == null || t.getDataType() != TensorProto.DataType.INT64_VALUE) {
            return false;
        }
        if (t.getInt64DataCount() == 1) {
            return t.getInt64Data(0) == -1;
        }
        return t.getRawData().size() == 8
                && t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getLong() == -1;
    }

    /** Whether every reader of {@code value} is one of {@code readers} (and it is not a graph output). */
    private boolean onlyReadBy(String value, List<NodeProto> readers) {
        if (graphOutputs.contains(value)) {
            return false;
        }
        for (NodeProto c : consumers.getOrDefault(value, List.of())) {
            if (readers.stream().noneMatch(r -> r == c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPlain(NodeProto n, String op) {
        return n.getOpType().equals(op) && OnnxGraphs.isDefaultDomain(n.getDomain());
    }

    /** Which input of a two-input node is a float initializer (the second if both), or -1. */
    private int floatInitSide(NodeProto node) {
        return isFloatInit(node.getInput(1)) ? 1 : isFloatInit(node.getInput(0)) ? 0 : -1;
    }

    private boolean isFloatInit(String name) {
        TensorProto t = inits.get(name);
        return t != null && t.getDataType() == TensorProto.DataType.FLOAT_VALUE;
    }

    private long length(String name) {
        TensorProto t = inits.get(name);
        if (t == null || t.getDataType() != TensorProto.DataType.FLOAT_VALUE || t.getDimsCount() != 1) {
            return -1;
        }
        return t.getDims(0);
    }

    /** An initializer or the tensor of a Constant node. */
    private TensorProto constant(String name) {
        TensorProto t = inits.get(name);
        if (t != null) {
            return t;
        }
        NodeProto p = producer.get(name);
        if (p == null || !isPlain(p, "Constant")) {
            return null;
        }
        for (AttributeProto a : p.getAttributeList()) {
            if (a.getName().equals("value") && a.hasT()) {
                return a.getT();
            }
            if (a.getName().equals("value_float")) {
                return TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(a.getF())
                        .build();
            }
        }
        return null;
    }

    /** The value of a one-element float constant (stored inline), or null. */
    private Float scalar(String name) {
        TensorProto t = constant(name);
        if (t == null || t.getDataType() != TensorProto.DataType.FLOAT_VALUE
                || t.getDataLocation() == TensorProto.DataLocation.EXTERNAL
                || t.getDimsList().stream().anyMatch(d -> d != 1)) {
            return null;
        }
        float[] v = OnnxModelFiles.floats(t, null); // inline: no directory read
        return v.length == 1 ? v[0] : null;
    }
}
