package io.flinkllmlingua.models.internal;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static io.flinkllmlingua.models.internal.OnnxGraphs.MICROSOFT;
import static io.flinkllmlingua.models.internal.OnnxGraphs.floatAttr;
import static io.flinkllmlingua.models.internal.OnnxGraphs.intAttr;

/**
 * Rewrites every float MatMul/Gemm with a 2-D float initializer as B (and a computed A) into int8 arithmetic whose
 * result for one row of A depends on that row only.
 *
 * <p>Weights: per output column symmetric int8, {@code Wq = round(W / ws)}, {@code ws[n] = max_k |W[k, n]| / WEIGHT_MAX}
 * ({@link #WEIGHT_MAX}, 64: exact on CPUs without VNNI too).
 * Activations: A is flattened to {@code [M, K]} and quantised per row in the graph, with the row's own range
 * ({@code ReduceMax}/{@code ReduceMin} over K) and a per-axis {@code QuantizeLinear(axis = 0)}. For the default
 * {@link Scheme#SYMMETRIC_UINT8} the integer product and the per-column scale {@code ws} are one ONNX Runtime
 * {@code com.microsoft:MatMulIntegerToFloat} (the scale is applied in the GEMM's output stage), followed by one
 * {@code Mul} with the row scale {@code [M, 1]}; the other schemes use {@code MatMulInteger} (exact int32), a per-axis
 * {@code DequantizeLinear(axis = 0)} and a {@code Mul} with {@code ws}. Every step is either exact integer arithmetic or an elementwise float
 * operation on one row, so no value of another row (or padding) can reach it; ONNX Runtime's own dynamic
 * quantisation (DynamicQuantizeLinear) takes one scale for the whole tensor and does not have that property.
 *
 * <p>The MatMuls that read the same activation (Q, K and V) share one quantisation of it. The classifier head (a
 * MatMul whose result reaches a graph output through Add/Identity only) stays float: it is 2 columns wide, costs
 * nothing, and its rounding would land directly on the logits.
 */
public final class MatMulQuantizer {
    /** How activations are quantised per row. */
    public enum Scheme {
        /** {@code uint8} with the row's min/max range and an integer zero point; VNNI's U8S8 path. */
        ASYMMETRIC_UINT8,
        /**
         * {@code uint8}, scale {@code max|x| / 127} and zero point 128: the U8S8 kernels, with the constant zero point
         * handled inside {@code MatMulInteger} (its scalar {@code a_zero_point}), so no correction node follows.
         */
        SYMMETRIC_UINT8,
        /** {@code int8}, scale {@code max|x| / 127}, zero point 0 (S8S8 kernels). */
        SYMMETRIC_INT8
    }

    /** The outcome of one rewrite. */
    public record Result(int quantized, int keptHeads, int keptOther, List<String> keptNames) {}

    private static final float TINY = Float.MIN_NORMAL;
    /**
     * The largest weight magnitude, {@code |Wq| <= 64} (129 levels, not 255). x86 CPUs without VNNI (AVX2, AVX-512F)
     * run U8S8 GEMMs with {@code vpmaddubsw}, which adds two uint8 x int8 products into a <em>saturating</em> int16:
     * with weights up to 127 a pair can reach 2 * 255 * 127 and clamp at 32,767 (a test graph came out at half its
     * value on an AVX2-only AMD EPYC), while 2 * 255 * 64 = 32,640 always fits, so the integer product is exact on
     * every CPU that runs the file. ONNX Runtime's own quantiser calls this {@code reduce_range}. On the demo model it
     * kept more decisions than 127 did on that CPU (word keep agreement 99.44 % against 99.27 %).
     */
    static final int WEIGHT_MAX = 64;

    private final ModelProto.Builder model;
    private final Set<String> usedDomains = new HashSet<>();

    private final GraphProto.Builder graph;
    private final Scheme scheme;
    private final int opset;
    private final Function<TensorProto, float[]> floats;
    private final Map<String, TensorProto> inits = new HashMap<>();
    private final Set<String> names = new HashSet<>();
    private final List<TensorProto> newInits = new ArrayList<>();
    private final List<NodeProto> out = new ArrayList<>();
    private int counter;

    private MatMulQuantizer(ModelProto.Builder model, Scheme scheme, Function<TensorProto, float[]> floats) {
        this.model = model;
        this.graph = model.getGraphBuilder();
        this.scheme = scheme;
        this.floats = floats;
        int v = OnnxGraphs.defaultOpset(model);
        if (v < 11) {
            throw new IllegalArgumentException("the graph's ONNX opset is " + v + "; per-row quantisation needs"
                    + " opset 11 or later");
        }
        if (v < 13) {
            OpsetUpgrade.to13(model);
            v = 13;
        }
        this.opset = v;
        for (TensorProto t : graph.getInitializerList()) {
            inits.put(t.getName(), t);
            names.add(t.getName());
        }
        for (NodeProto n : graph.getNodeList()) {
            names.addAll(n.getOutputList());
            names.add(n.getName());
        }
        graph.getInputList().forEach(i -> names.add(i.getName()));
    }

    /**
     * Rewrites {@code model}'s graph in place.
     *
     * @param floats the values of a float initializer (raw, float_data or external)
     */
    public static Result quantize(ModelProto.Builder model, Scheme scheme, Function<TensorProto, float[]> floats) {
        return new MatMulQuantizer(model, scheme, floats).run();
    }

    /** Whether {@code node} is a MatMul/Gemm this rewrite can quantise (a float 2-D initializer as B). */
    private boolean eligible(NodeProto n) {
        boolean gemm = n.getOpType().equals("Gemm");
        if (!n.getDomain().isEmpty() || !(n.getOpType().equals("MatMul") || gemm)) {
            return false;
        }
        if (inits.containsKey(n.getInput(0))) {
            return false; // constant A: nothing to quantise at run time
        }
        TensorProto b = inits.get(n.getInput(1));
        if (b == null || b.getDataType() != TensorProto.DataType.FLOAT_VALUE || b.getDimsCount() != 2) {
            return false;
        }
        if (gemm) {
            if (intAttr(n, "transA", 0) != 0) {
                return false;
            }
            if (n.getInputCount() > 2 && !n.getInput(2).isEmpty() && !inits.containsKey(n.getInput(2))) {
                return false;
            }
        }
        return true;
    }

    private Result run() {
        Set<String> graphOutputs = OnnxGraphs.outputNames(graph);
        Map<String, List<NodeProto>> consumers = OnnxGraphs.consumers(graph);
        List<NodeProto> targets = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        int heads = 0;
        int other = 0;
        for (NodeProto n : graph.getNodeList()) {
            if (!n.getOpType().equals("MatMul") && !n.getOpType().equals("Gemm")) {
                continue;
            }
            if (!eligible(n)) {
                other++; // activation x activation (attention scores/context) or not a weight
                continue;
            }
            if (reachesOutput(n.getOutput(0), consumers, graphOutputs)) {
                heads++;
                kept.add(n.getName().isEmpty() ? n.getOutput(0) : n.getName());
                continue;
            }
            targets.add(n);
        }
        // MatMuls (not Gemms) reading the same activation with the same K become one MatMulInteger on their
        // weights side by side (Q, K and V): one GEMM, one scaling chain, then a Split.
        Map<String, List<NodeProto>> siblings = new LinkedHashMap<>();
        for (NodeProto n : targets) {
            String key = n.getOpType().equals("Gemm") ? "gemm:" + n.getOutput(0) : n.getInput(0);
            siblings.computeIfAbsent(key, x -> new ArrayList<>()).add(n);
        }
        Map<NodeProto, List<NodeProto>> firstOfGroup = new HashMap<>();
        siblings.values().forEach(g -> firstOfGroup.put(g.get(0), g));
        Set<NodeProto> targetSet = new HashSet<>(targets);
        Map<String, Activation> quantised = new LinkedHashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            if (!targetSet.contains(n)) {
                out.add(n);
                continue;
            }
            List<NodeProto> group = firstOfGroup.get(n);
            if (group == null) {
                continue; // written with the first of its siblings
            }
            TensorProto b = inits.get(n.getInput(1));
            boolean gemm = n.getOpType().equals("Gemm");
            boolean transB = gemm && intAttr(n, "transB", 0) != 0;
            int k = Math.toIntExact(b.getDims(transB ? 1 : 0));
            Activation a = quantised.computeIfAbsent(n.getInput(0), x -> activation(x, k));
            String y = n.getOutput(0);
            if (!gemm) {
                quantisedMatMul(group, a, false, 1f, group.stream().map(m -> m.getOutput(0)).toList());
                continue;
            }
            String mm = fresh(y + "_gemm_unbiased");
            quantisedMatMul(group, a, transB, floatAttr(n, "alpha", 1f), List.of(mm));
            if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
                float beta = floatAttr(n, "beta", 1f);
                String c = n.getInput(2);
                if (beta != 1f) {
                    c = node("Mul", List.of(c, scalar(beta)), y + "_beta_c");
                }
                emit("Add", List.of(mm, c), y);
            } else {
                emit("Identity", List.of(mm), y);
            }
        }
        // B initializers only the replaced nodes used are dropped.
        Set<String> used = new HashSet<>(graphOutputs);
        out.forEach(n -> used.addAll(n.getInputList()));
        List<TensorProto> initializers = new ArrayList<>();
        for (TensorProto t : graph.getInitializerList()) {
            if (used.contains(t.getName())) {
                initializers.add(t);
            }
        }
        // Old exporters (IR < 4) also list every initializer as a graph input, an overridable default: a dropped
        // weight must leave the inputs too, or ONNX Runtime would ask the caller for it.
        Set<String> dropped = new HashSet<>();
        for (TensorProto t : graph.getInitializerList()) {
            if (!used.contains(t.getName())) {
                dropped.add(t.getName());
            }
        }
        if (!dropped.isEmpty()) {
            List<ValueInfoProto> inputs = new ArrayList<>();
            for (ValueInfoProto i : graph.getInputList()) {
                if (!dropped.contains(i.getName())) {
                    inputs.add(i);
                }
            }
            graph.clearInput().addAllInput(inputs);
        }
        initializers.addAll(newInits);
        graph.clearNode().addAllNode(out);
        usedDomains.forEach(domain -> OnnxGraphs.importDomain(model, domain));
        graph.clearInitializer().addAllInitializer(initializers);
        return new Result(targets.size(), heads, other, kept);
    }

    /** The quantised form of one activation: {@code q [M, K]}, per-row scale {@code s [M]}, zero point, shape. */
    private record Activation(String x, String q, String scale, String rowScale, String zeroPoint, String zeroPointI32,
            String lead) {}

    private Activation activation(String x, int k) {
        String base = x.replaceAll("[^A-Za-z0-9_./-]", "_") + "_rowq";
        String shape = node("Shape", List.of(x), base + "/shape");
        String lead = node("Slice", List.of(shape, longs(base + "/c0", 0), longs(base + "/cm1", -1),
                longs(base + "/c0a", 0)), base + "/lead");
        String x2 = node("Reshape", List.of(x, longs(base + "/flat_shape", -1, k)), base + "/flat");
        // ReduceMax + ReduceMin measured faster than ReduceMax(Abs(x)): Abs writes a full [M, K] tensor.
        String max = reduce("ReduceMax", x2, base + "/max");
        String min = reduce("ReduceMin", x2, base + "/min");
        if (scheme != Scheme.ASYMMETRIC_UINT8) {
            boolean u8 = scheme == Scheme.SYMMETRIC_UINT8;
            String amax = node("Max", List.of(max, node("Neg", List.of(min), base + "/neg_min")), base + "/absmax");
            String s = node("Max", List.of(node("Mul", List.of(amax, scalar(1f / 127f)), base + "/scale_raw"),
                    scalar(TINY)), base + "/scale");
            String zp = node("ConstantOfShape", List.of(node("Shape", List.of(s), base + "/rows")), base + "/zp",
                    u8 ? tensorAttr("value", TensorProto.DataType.UINT8_VALUE, new byte[] {(byte) 128})
                            : tensorAttr("value", TensorProto.DataType.INT8_VALUE, new byte[] {0}));
            String q = node("QuantizeLinear", List.of(x2, s, zp), base + "/q", intAttribute("axis", 0));
            String column = u8 ? node("Unsqueeze", List.of(s, longs(base + "/c1", 1)), base + "/scale_column") : null;
            return new Activation(x, q, s, column, zp, null, lead);
        }
        // The range always contains 0 so that the integer zero point lies in [0, 255].
        String hi = node("Max", List.of(max, scalar(0f)), base + "/hi");
        String lo = node("Min", List.of(min, scalar(0f)), base + "/lo");
        String s = node("Max", List.of(node("Mul", List.of(node("Sub", List.of(hi, lo), base + "/range"),
                scalar(1f / 255f)), base + "/scale_raw"), scalar(TINY)), base + "/scale");
        String zf = node("Clip", List.of(node("Round", List.of(node("Div", List.of(node("Neg", List.of(lo),
                base + "/neg_lo"), s), base + "/zp_raw")), base + "/zp_round"), scalar(0f), scalar(255f)),
                base + "/zp_float");
        String zp = node("Cast", List.of(zf), base + "/zp", intAttribute("to", TensorProto.DataType.UINT8_VALUE));
        String zpI32 = node("Unsqueeze", List.of(node("Cast", List.of(zf), base + "/zp_i32_flat",
                intAttribute("to", TensorProto.DataType.INT32_VALUE)), longs(base + "/c1", 1)), base + "/zp_i32");
        String q = node("QuantizeLinear", List.of(x2, s, zp), base + "/q", intAttribute("axis", 0));
        return new Activation(x, q, s, null, zp, zpI32, lead);
    }

    /** One MatMulInteger over the weights of {@code nodes} side by side; writes {@code outputs}, one per node. */
    private void quantisedMatMul(List<NodeProto> nodes, Activation a, boolean transB, float alpha, List<String> outputs) {
        int k = -1;
        int total = 0;
        List<float[]> ws = new ArrayList<>();
        List<Integer> widths = new ArrayList<>();
        for (NodeProto n : nodes) {
            TensorProto b = inits.get(n.getInput(1));
            int rows = Math.toIntExact(b.getDims(0));
            int cols = Math.toIntExact(b.getDims(1));
            k = transB ? cols : rows;
            int width = transB ? rows : cols;
            widths.add(width);
            total += width;
            ws.add(floats.apply(b));
        }
        byte[] q = new byte[k * total];
        float[] scale = new float[total];
        int[] colsum = new int[total];
        int offset = 0;
        for (int part = 0; part < nodes.size(); part++) {
            float[] w = ws.get(part);
            int width = widths.get(part);
            for (int c = 0; c < width; c++) {
                float m = 0;
                for (int r = 0; r < k; r++) {
                    m = Math.max(m, Math.abs(at(w, r, c, transB, k, width)));
                }
                float s = m > 0 ? m / WEIGHT_MAX : 1f;
                scale[offset + c] = s * alpha;
                for (int r = 0; r < k; r++) {
                    int v = (int) Math.max(-WEIGHT_MAX,
                            Math.min(WEIGHT_MAX, Math.rint(at(w, r, c, transB, k, width) / s)));
                    q[r * total + offset + c] = (byte) v;
                    colsum[offset + c] += v;
                }
            }
            offset += width;
        }
        TensorProto first = inits.get(nodes.get(0).getInput(1));
        String y = outputs.get(0);
        String base = (first.getName().isEmpty() ? y : first.getName()).replaceAll("[^A-Za-z0-9_./-]", "_")
                + (nodes.size() > 1 ? "_and_" + (nodes.size() - 1) + "_more" : "");
        String wq = initializer(TensorProto.newBuilder().setName(fresh(base + "_int8"))
                .setDataType(TensorProto.DataType.INT8_VALUE).addDims(k).addDims(total)
                .setRawData(ByteString.copyFrom(q)).build());
        String wsName = initializer(floatTensor(fresh(base + "_scale"), scale));
        String scaled;
        if (scheme == Scheme.SYMMETRIC_UINT8) {
            // ONNX Runtime's MatMulIntegerToFloat applies the per-column weight scale in the GEMM's output stage
            // (no int32 tensor, no separate dequantise pass). Its a_scale is per tensor only, so it gets 1 and the
            // per-row scale follows as one Mul ([M, N] * [M, 1]); the graph's bias Add comes after, as before.
            String colScaled = node("MatMulIntegerToFloat", MICROSOFT, List.of(a.q(), wq, scalar(1f), wsName,
                    zeroPoint128()), y + "_col_scaled");
            scaled = node("Mul", List.of(colScaled, a.rowScale()), y + "_flat");
        } else {
            String acc = node("MatMulInteger", List.of(a.q(), wq), y + "_int32");
            if (scheme == Scheme.ASYMMETRIC_UINT8) {
                // sum_k (q - zp) * Wq = q @ Wq - zp * colsum(Wq), with colsum a constant.
                ByteBuffer cs = ByteBuffer.allocate(total * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int c : colsum) {
                    cs.putInt(c);
                }
                String colsumName = initializer(TensorProto.newBuilder().setName(fresh(base + "_colsum"))
                        .setDataType(TensorProto.DataType.INT32_VALUE).addDims(total)
                        .setRawData(ByteString.copyFrom(cs.array())).build());
                acc = node("Sub", List.of(acc, node("Mul", List.of(a.zeroPointI32(), colsumName), y + "_zp_term")),
                        y + "_int32_centred");
            }
            String rowScaled = node("DequantizeLinear", List.of(acc, a.scale()), y + "_row_scaled",
                    intAttribute("axis", 0));
            scaled = node("Mul", List.of(rowScaled, wsName), y + "_flat");
        }
        String outShape = node("Concat", List.of(a.lead(), longs(fresh(y + "_cols"), total)), y + "_shape",
                intAttribute("axis", 0));
        if (nodes.size() == 1) {
            emit("Reshape", List.of(scaled, outShape), y);
            return;
        }
        String joined = node("Reshape", List.of(scaled, outShape), y + "_joined");
        long[] split = widths.stream().mapToLong(Integer::longValue).toArray();
        NodeProto.Builder sp = NodeProto.newBuilder().setOpType("Split").setName(fresh("rowq_Split_" + (counter++)))
                .addInput(joined).addInput(longs(fresh(y + "_split"), split)).addAllOutput(outputs)
                .addAttribute(intAttribute("axis", -1));
        out.add(sp.build());
    }

    /** {@code W[r, c]} of the {@code [k, width]} weight, stored transposed ({@code [width, k]}) when transB. */
    private static float at(float[] w, int r, int c, boolean transB, int k, int width) {
        return transB ? w[c * k + r] : w[r * width + c];
    }

    private String zeroPoint128() {
        return constants.computeIfAbsent("u8zp128", k -> initializer(TensorProto.newBuilder()
                .setName(fresh("rowq_const_zp128")).setDataType(TensorProto.DataType.UINT8_VALUE)
                .setRawData(ByteString.copyFrom(new byte[] {(byte) 128})).build()));
    }

    private String reduce(String op, String x, String name) {
        if (opset >= 18) {
            return node(op, List.of(x, longs(name + "_axes", 1)), name, intAttribute("keepdims", 0));
        }
        return node(op, List.of(x), name, intsAttribute("axes", 1), intAttribute("keepdims", 0));
    }

    /** Whether {@code value} reaches a graph output through Add/Identity/Reshape only (the head's logits). */
    private static boolean reachesOutput(String value, Map<String, List<NodeProto>> consumers, Set<String> outputs) {
        if (outputs.contains(value)) {
            return true;
        }
        for (NodeProto c : consumers.getOrDefault(value, List.of())) {
            String op = c.getOpType();
            if ((op.equals("Add") || op.equals("Identity") || op.equals("Reshape") || op.equals("Cast"))
                    && reachesOutput(c.getOutput(0), consumers, outputs)) {
                return true;
            }
        }
        return false;
    }

    private String node(String op, List<String> inputs, String output, AttributeProto... attrs) {
        return node(op, "", inputs, output, attrs);
    }

    private String node(String op, String domain, List<String> inputs, String output, AttributeProto... attrs) {
        String o = fresh(output);
        emit(op, domain, inputs, o, attrs);
        return o;
    }

    private void emit(String op, List<String> inputs, String output, AttributeProto... attrs) {
        emit(op, "", inputs, output, attrs);
    }

    private void emit(String op, String domain, List<String> inputs, String output, AttributeProto... attrs) {
        if (!domain.isEmpty()) {
            usedDomains.add(domain);
        }
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setDomain(domain)
                .setName(fresh("rowq_" + op + "_" + (counter++))).addAllInput(inputs).addOutput(output);
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        names.add(output);
        out.add(n.build());
    }

    private String fresh(String base) {
        String name = base;
        for (int i = 1; names.contains(name); i++) {
            name = base + "_" + i;
        }
        names.add(name);
        return name;
    }

    private final Map<String, String> constants = new HashMap<>();

    private String scalar(float v) {
        return constants.computeIfAbsent("f" + Float.floatToIntBits(v), key ->
                initializer(TensorProto.newBuilder().setName(fresh("rowq_const_" + v)).setDataType(
                        TensorProto.DataType.FLOAT_VALUE).addFloatData(v).build()));
    }

    private String longs(String name, long... values) {
        StringBuilder key = new StringBuilder("l");
        for (long v : values) {
            key.append(',').append(v);
        }
        return constants.computeIfAbsent(key.toString(), k -> {
            TensorProto.Builder t = TensorProto.newBuilder().setName(fresh(name)).setDataType(
                    TensorProto.DataType.INT64_VALUE).addDims(values.length);
            for (long v : values) {
                t.addInt64Data(v);
            }
            return initializer(t.build());
        });
    }

    private String initializer(TensorProto t) {
        newInits.add(t);
        inits.put(t.getName(), t);
        return t.getName();
    }

    private static TensorProto floatTensor(String name, float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putFloat(v);
        }
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(values.length).setRawData(ByteString.copyFrom(buf.array())).build();
    }

    private static AttributeProto intAttribute(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto intsAttribute(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    private static AttributeProto tensorAttr(String name, int type, byte[] raw) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR)
                .setT(TensorProto.newBuilder().setDataType(type).addDims(1).setRawData(ByteString.copyFrom(raw)))
                .build();
    }
}
