package io.flinkllmlingua.models.internal;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProtoOrBuilder;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ModelProtoOrBuilder;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the graph passes ({@link MatMulQuantizer}, {@link SkipLayerNormFusion}, {@link OpsetUpgrade}) read alike. */
final class OnnxGraphs {
    /** ONNX Runtime's contrib operator domain (MatMulIntegerToFloat, SkipLayerNormalization), version 1. */
    static final String MICROSOFT = "com.microsoft";

    private OnnxGraphs() {}

    /** The ONNX operator set itself (empty or {@code ai.onnx}), not a contrib domain. */
    static boolean isDefaultDomain(String domain) {
        return domain.isEmpty() || domain.equals("ai.onnx");
    }

    /** The model's version of the default operator set; -1 when it imports none. */
    static int defaultOpset(ModelProtoOrBuilder model) {
        int v = -1;
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (isDefaultDomain(o.getDomain())) {
                v = (int) o.getVersion();
            }
        }
        return v;
    }

    /** Imports {@code domain} at version 1 unless the model already imports it. */
    static void importDomain(ModelProto.Builder model, String domain) {
        if (model.getOpsetImportList().stream().noneMatch(o -> o.getDomain().equals(domain))) {
            model.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(1));
        }
    }

    /** The nodes reading each value, in graph order. */
    static Map<String, List<NodeProto>> consumers(GraphProtoOrBuilder graph) {
        Map<String, List<NodeProto>> consumers = new HashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            for (String i : n.getInputList()) {
                consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
            }
        }
        return consumers;
    }

    /** The node writing each value. */
    static Map<String, NodeProto> producers(GraphProtoOrBuilder graph) {
        Map<String, NodeProto> producers = new HashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            for (String o : n.getOutputList()) {
                producers.put(o, n);
            }
        }
        return producers;
    }

    /** The names of the graph's outputs. */
    static Set<String> outputNames(GraphProtoOrBuilder graph) {
        Set<String> names = new HashSet<>();
        graph.getOutputList().forEach(o -> names.add(o.getName()));
        return names;
    }

    /** A node's int attribute, or the operator's default where the node does not set it. */
    static long intAttr(NodeProto n, String name, long dflt) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return dflt;
    }

    /** A node's float attribute, or the operator's default where the node does not set it. */
    static float floatAttr(NodeProto n, String name, float dflt) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getF();
            }
        }
        return dflt;
    }
}
