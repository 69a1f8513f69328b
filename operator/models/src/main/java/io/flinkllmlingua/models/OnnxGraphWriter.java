package io.flinkllmlingua.models;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.UnsafeByteOperations;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A small ONNX graph writer on the protobuf classes that {@code tribuo-util-onnx} ships ({@code ai.onnx.proto.OnnxMl}).
 * Tribuo's own {@code ONNXContext} only declares float graph inputs and a fixed operator set without MatMul,
 * LayerNormalization, Softmax over an axis, Reshape, Transpose or Erf, so the transformer is written directly as
 * protobuf: opset 17, IR version 8. Large float tensors can go to an ONNX external-data file (4 KiB aligned).
 */
final class OnnxGraphWriter implements Closeable {
    static final int OPSET = 17;
    static final long IR_VERSION = 8;
    static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    static final int INT64 = TensorProto.DataType.INT64_VALUE;
    /** Float tensors with at least this many elements go to the external file when there is one. */
    static final long EXTERNAL_MIN_ELEMENTS = 1024;
    private static final long ALIGN = 4096;
    private static final int CHUNK_FLOATS = 1 << 20;

    /** Sequential source of a tensor's values (row-major). */
    interface FloatSource {
        float next();
    }

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    private final Path externalFile;
    private FileChannel channel;
    private long externalOffset;
    private long parameterCount;
    private int nodeCounter;

    /**
     * @param graphName    the graph's name
     * @param externalFile where large tensors go, or null to keep every tensor inside the model
     */
    OnnxGraphWriter(String graphName, Path externalFile) throws IOException {
        graph.setName(graphName);
        this.externalFile = externalFile;
        if (externalFile != null) {
            channel = FileChannel.open(externalFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        }
    }

    long parameterCount() {
        return parameterCount;
    }

    long externalBytes() {
        return externalOffset;
    }

    /** Declares a graph input; each dim is a symbolic name (String) or a fixed size (Number). */
    void input(String name, int elemType, Object... dims) {
        claim(name);
        graph.addInput(valueInfo(name, elemType, dims));
    }

    void output(String name, int elemType, Object... dims) {
        graph.addOutput(valueInfo(name, elemType, dims));
    }

    /** Adds a single-output node and returns the output's name. */
    String node(String op, String output, List<String> inputs, AttributeProto... attributes) {
        claim(output);
        NodeProto.Builder n = NodeProto.newBuilder()
                .setOpType(op)
                .setName(op + "_" + (nodeCounter++))
                .addAllInput(inputs)
                .addOutput(output);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return output;
    }

    static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto floatAttr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto intsAttr(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    /** A float weight (counted as a parameter); stored externally when large and an external file is in use. */
    String weights(String name, long[] dims, FloatSource source) throws IOException {
        claim(name);
        long n = elements(dims);
        parameterCount += n;
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(FLOAT);
        for (long d : dims) {
            t.addDims(d);
        }
        if (channel != null && n >= EXTERNAL_MIN_ELEMENTS) {
            writeExternal(t, n, source);
        } else {
            if (n * 4 > Integer.MAX_VALUE - 64) {
                throw new IllegalStateException("Tensor " + name + " has " + n + " floats: too large to embed, "
                        + "use ModelSpec.WeightStorage.EXTERNAL");
            }
            byte[] bytes = new byte[(int) (n * 4)];
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < n; i++) {
                buf.putFloat(source.next());
            }
            t.setRawData(UnsafeByteOperations.unsafeWrap(bytes));
        }
        graph.addInitializer(t);
        return name;
    }

    /** A constant float tensor that is not a trainable weight (scales, thresholds); always embedded. */
    String floatConstant(String name, long[] dims, float... values) {
        claim(name);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(FLOAT);
        for (long d : dims) {
            t.addDims(d);
        }
        for (float v : values) {
            t.addFloatData(v);
        }
        graph.addInitializer(t);
        return name;
    }

    /** A constant int64 tensor (shapes, axes, indexes); always embedded. */
    String longConstant(String name, long[] dims, long... values) {
        claim(name);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(INT64);
        for (long d : dims) {
            t.addDims(d);
        }
        for (long v : values) {
            t.addInt64Data(v);
        }
        graph.addInitializer(t);
        return name;
    }

    ModelProto buildModel(String producer, String docString, List<StringStringEntryProto> metadata) {
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName(producer)
                .setDocString(docString)
                .setGraph(graph);
        metadata.forEach(m::addMetadataProps);
        return m.build();
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    private void writeExternal(TensorProto.Builder t, long n, FloatSource source) throws IOException {
        long start = (externalOffset + ALIGN - 1) / ALIGN * ALIGN;
        if (start > externalOffset) {
            writeFully(ByteBuffer.allocate((int) (start - externalOffset)));
        }
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_FLOATS * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long done = 0; done < n; ) {
            int chunk = (int) Math.min(CHUNK_FLOATS, n - done);
            buf.clear();
            for (int i = 0; i < chunk; i++) {
                buf.putFloat(source.next());
            }
            buf.flip();
            writeFully(buf);
            done += chunk;
        }
        externalOffset = start + n * 4;
        t.setDataLocation(TensorProto.DataLocation.EXTERNAL);
        t.addExternalData(entry("location", externalFile.getFileName().toString()));
        t.addExternalData(entry("offset", Long.toString(start)));
        t.addExternalData(entry("length", Long.toString(n * 4)));
    }

    private void writeFully(ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private void claim(String name) {
        if (!names.add(name)) {
            throw new IllegalStateException("Duplicate graph value name " + name);
        }
    }

    private static long elements(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static ValueInfoProto valueInfo(String name, int elemType, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof String) {
                shape.addDimBuilder().setDimParam((String) d);
            } else {
                shape.addDimBuilder().setDimValue(((Number) d).longValue());
            }
        }
        TypeProto type = TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))
                .build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }
}
