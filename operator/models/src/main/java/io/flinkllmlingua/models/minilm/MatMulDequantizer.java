package io.flinkllmlingua.models.minilm;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the dynamically quantised MatMuls of an onnxruntime-quantised transformer back into float MatMuls.
 *
 * <p>The pattern, as {@code onnxruntime.quantization.quantize_dynamic} writes it:
 * {@code DynamicQuantizeLinear(x) -> (xq, xs, xz)}, {@code MatMulInteger(xq, Wq, xz, Wz) -> Cast(float) ->
 * Mul(., Mul(xs, Ws)) -> y}. It becomes {@code MatMul(x, W) -> y} with {@code W = (Wq - Wz) * Ws} (per column or per
 * tensor), exactly the weights the quantised model uses. Dynamic activation quantisation picks its scale from the
 * whole batch, so the quantised graph's logits for one sequence change with the other rows and the padding in its
 * batch; the float graph does not have that effect. Nodes that become unused are removed.
 */
final class MatMulDequantizer {
    private MatMulDequantizer() {}

    /** Rewrites the graph in place; returns how many MatMulInteger nodes were replaced. */
    static int dequantize(GraphProto.Builder graph) {
        Map<String, TensorProto> inits = new HashMap<>();
        for (TensorProto t : graph.getInitializerList()) {
            inits.put(t.getName(), t);
        }
        Map<String, NodeProto> producer = new HashMap<>();
        Map<String, List<NodeProto>> consumers = new HashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            for (String o : n.getOutputList()) {
                producer.put(o, n);
            }
            for (String i : n.getInputList()) {
                consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
            }
        }
        Set<NodeProto> removed = new HashSet<>();
        Map<NodeProto, NodeProto> replaced = new HashMap<>();
        List<TensorProto> newWeights = new ArrayList<>();
        for (NodeProto mmi : graph.getNodeList()) {
            if (!mmi.getOpType().equals("MatMulInteger")) {
                continue;
            }
            NodeProto dql = producer.get(mmi.getInput(0));
            require(dql != null && dql.getOpType().equals("DynamicQuantizeLinear"), mmi, "input is not DynamicQuantizeLinear");
            TensorProto wq = inits.get(mmi.getInput(1));
            require(wq != null && wq.getDimsCount() == 2, mmi, "weight is not a 2-D initializer");
            TensorProto wz = mmi.getInputCount() > 3 ? inits.get(mmi.getInput(3)) : null;
            NodeProto cast = single(consumers, mmi.getOutput(0), "Cast", mmi);
            NodeProto mul = single(consumers, cast.getOutput(0), "Mul", mmi);
            String scalesName = mul.getInput(0).equals(cast.getOutput(0)) ? mul.getInput(1) : mul.getInput(0);
            NodeProto scalesMul = producer.get(scalesName);
            require(scalesMul != null && scalesMul.getOpType().equals("Mul"), mmi, "no scale product");
            String wsName = scalesMul.getInput(0).equals(dql.getOutput(1)) ? scalesMul.getInput(1) : scalesMul.getInput(0);
            TensorProto ws = inits.get(wsName);
            require(ws != null, mmi, "weight scale is not an initializer");

            int rows = Math.toIntExact(wq.getDims(0));
            int cols = Math.toIntExact(wq.getDims(1));
            int[] q = ints(wq);
            int[] zero = wz == null ? new int[] {0} : ints(wz);
            float[] scale = floats(ws);
            require(q.length == rows * cols && (zero.length == 1 || zero.length == cols)
                    && (scale.length == 1 || scale.length == cols), mmi, "unexpected quantisation parameter shapes");
            ByteBuffer buf = ByteBuffer.allocate(rows * cols * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int z = zero[zero.length == 1 ? 0 : c];
                    float s = scale[scale.length == 1 ? 0 : c];
                    buf.putFloat((q[r * cols + c] - z) * s);
                }
            }
            String name = uniqueName(inits, stripSuffix(wq.getName(), "_quantized") + "_dequantized");
            TensorProto w = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                    .addDims(rows).addDims(cols).setRawData(ByteString.copyFrom(buf.array())).build();
            inits.put(name, w);
            newWeights.add(w);
            replaced.put(mmi, NodeProto.newBuilder().setOpType("MatMul")
                    .setName(stripSuffix(mmi.getName(), "_quant"))
                    .addInput(dql.getInput(0)).addInput(name).addOutput(mul.getOutput(0)).build());
            removed.add(cast);
            removed.add(mul);
            removed.add(scalesMul);
        }
        if (replaced.isEmpty()) {
            return 0;
        }
        List<NodeProto> nodes = new ArrayList<>();
        for (NodeProto n : graph.getNodeList()) {
            if (replaced.containsKey(n)) {
                nodes.add(replaced.get(n));
            } else if (!removed.contains(n)) {
                nodes.add(n);
            }
        }
        // DynamicQuantizeLinear nodes (and anything else) left without consumers go too; repeat until stable.
        Set<String> graphOutputs = new HashSet<>();
        graph.getOutputList().forEach(o -> graphOutputs.add(o.getName()));
        boolean changed = true;
        while (changed) {
            Set<String> used = new HashSet<>(graphOutputs);
            nodes.forEach(n -> used.addAll(n.getInputList()));
            changed = nodes.removeIf(n -> n.getOutputList().stream().noneMatch(used::contains));
        }
        Set<String> used = new HashSet<>(graphOutputs);
        Set<String> produced = new HashSet<>();
        for (NodeProto n : nodes) {
            used.addAll(n.getInputList());
            produced.addAll(n.getOutputList());
        }
        List<TensorProto> initializers = new ArrayList<>();
        for (TensorProto t : graph.getInitializerList()) {
            if (used.contains(t.getName())) {
                initializers.add(t);
            }
        }
        initializers.addAll(newWeights);
        List<ValueInfoProto> valueInfo = new ArrayList<>();
        for (ValueInfoProto v : graph.getValueInfoList()) {
            if (produced.contains(v.getName())) {
                valueInfo.add(v);
            }
        }
        graph.clearNode().addAllNode(nodes);
        graph.clearInitializer().addAllInitializer(initializers);
        graph.clearValueInfo().addAllValueInfo(valueInfo);
        return replaced.size();
    }

    private static NodeProto single(Map<String, List<NodeProto>> consumers, String value, String op, NodeProto at) {
        List<NodeProto> c = consumers.getOrDefault(value, List.of());
        require(c.size() == 1 && c.get(0).getOpType().equals(op), at, value + " is not consumed by exactly one " + op);
        return c.get(0);
    }

    private static void require(boolean ok, NodeProto at, String what) {
        if (!ok) {
            throw new IllegalStateException("Unsupported quantisation pattern at " + at.getName() + ": " + what);
        }
    }

    /** Integer values of an int8/uint8/int32 tensor, whether in raw_data or int32_data. */
    static int[] ints(TensorProto t) {
        if (t.getRawData().isEmpty()) {
            return t.getInt32DataList().stream().mapToInt(Integer::intValue).toArray();
        }
        byte[] raw = t.getRawData().toByteArray();
        switch (t.getDataType()) {
            case TensorProto.DataType.INT8_VALUE: {
                int[] out = new int[raw.length];
                for (int i = 0; i < raw.length; i++) {
                    out[i] = raw[i];
                }
                return out;
            }
            case TensorProto.DataType.UINT8_VALUE: {
                int[] out = new int[raw.length];
                for (int i = 0; i < raw.length; i++) {
                    out[i] = raw[i] & 0xFF;
                }
                return out;
            }
            case TensorProto.DataType.INT32_VALUE: {
                ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
                int[] out = new int[raw.length / 4];
                for (int i = 0; i < out.length; i++) {
                    out[i] = b.getInt();
                }
                return out;
            }
            default:
                throw new IllegalStateException("Tensor " + t.getName() + " has unsupported type " + t.getDataType());
        }
    }

    static float[] floats(TensorProto t) {
        if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new IllegalStateException("Tensor " + t.getName() + " is not float");
        }
        if (t.getRawData().isEmpty()) {
            float[] out = new float[t.getFloatDataCount()];
            for (int i = 0; i < out.length; i++) {
                out[i] = t.getFloatData(i);
            }
            return out;
        }
        ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getFloat();
        }
        return out;
    }

    private static String stripSuffix(String s, String suffix) {
        return s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
    }

    private static String uniqueName(Map<String, TensorProto> taken, String base) {
        String name = base;
        for (int i = 1; taken.containsKey(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }
}
