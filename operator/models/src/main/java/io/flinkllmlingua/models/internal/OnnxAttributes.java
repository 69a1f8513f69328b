package io.flinkllmlingua.models.internal;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;

/** Reads a node's attributes, with the operator's default where the node does not set one. */
final class OnnxAttributes {
    private OnnxAttributes() {}

    static long intAttr(NodeProto n, String name, long dflt) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return dflt;
    }

    static float floatAttr(NodeProto n, String name, float dflt) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getF();
            }
        }
        return dflt;
    }
}
