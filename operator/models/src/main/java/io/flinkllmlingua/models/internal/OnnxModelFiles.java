package io.flinkllmlingua.models.internal;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads an ONNX model with its external data (tensors in {@code model.onnx_data} or any file next to the graph) and
 * writes one: embedded when the protobuf stays under its 2 GB limit, otherwise the large tensors go to
 * {@code <model>_data}.
 */
public final class OnnxModelFiles {
    /** Keep the serialized protobuf comfortably below 2 GiB. */
    static final long EMBED_LIMIT = 1_900_000_000L;
    private static final long EXTERNAL_MIN_BYTES = 4096;
    private static final long ALIGN = 4096;

    private OnnxModelFiles() {}

    public static ModelProto read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            CodedInputStream c = CodedInputStream.newInstance(in, 1 << 20);
            c.setSizeLimit(Integer.MAX_VALUE);
            return ModelProto.parseFrom(c);
        }
    }

    /** Files the graph's external tensors name (relative to the graph's directory). */
    public static Set<String> externalFiles(ModelProto model) {
        Set<String> files = new LinkedHashSet<>();
        for (TensorProto t : model.getGraph().getInitializerList()) {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                files.add(entry(t, "location"));
            }
        }
        return files;
    }

    /** The raw little-endian bytes of a tensor, wherever they are stored. */
    public static ByteString rawBytes(TensorProto t, Path dir) {
        if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
            return t.getRawData();
        }
        Path f = dir.resolve(entry(t, "location")).normalize();
        if (!f.startsWith(dir.normalize())) {
            throw new IllegalArgumentException("tensor " + t.getName() + " names external data outside the model"
                    + " directory: " + f);
        }
        String off = entry(t, "offset");
        String len = entry(t, "length");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            long offset = off == null ? 0 : Long.parseLong(off);
            long length = len == null ? ch.size() - offset : Long.parseLong(len);
            if (length > Integer.MAX_VALUE || offset + length > ch.size()) {
                throw new IllegalArgumentException("tensor " + t.getName() + ": external data " + f + " has no "
                        + length + " bytes at " + offset);
            }
            ByteBuffer buf = ByteBuffer.allocate((int) length);
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) {
                    throw new IOException(f + " ends early");
                }
            }
            return UnsafeByteOperations.unsafeWrap(buf.array());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read external data of " + t.getName() + ": " + e.getMessage(), e);
        }
    }

    /** A float tensor's values from raw_data, float_data or external data. */
    public static float[] floats(TensorProto t, Path dir) {
        if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new IllegalArgumentException("tensor " + t.getName() + " is not float");
        }
        if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL && t.getRawData().isEmpty()) {
            float[] out = new float[t.getFloatDataCount()];
            for (int i = 0; i < out.length; i++) {
                out[i] = t.getFloatData(i);
            }
            return out;
        }
        ByteBuffer b = rawBytes(t, dir).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    /**
     * Writes {@code model} as {@code file}; tensors still stored externally in {@code sourceDir} are read in. When the
     * result would not fit one protobuf, tensors of 4 KiB or more go to {@code file + "_data"}; returns that file's
     * size (0 when everything is embedded).
     */
    public static long write(ModelProto model, Path sourceDir, Path file) throws IOException {
        ModelProto.Builder b = model.toBuilder();
        long total = 0;
        for (TensorProto t : b.getGraph().getInitializerList()) {
            total += t.getDataLocation() == TensorProto.DataLocation.EXTERNAL
                    ? Long.parseLong(entry(t, "length") == null ? "0" : entry(t, "length")) : t.getSerializedSize();
        }
        long externalBytes = 0;
        List<TensorProto> tensors = new ArrayList<>(b.getGraph().getInitializerList());
        b.getGraphBuilder().clearInitializer();
        if (total < EMBED_LIMIT) {
            for (TensorProto t : tensors) {
                b.getGraphBuilder().addInitializer(embedded(t, sourceDir));
            }
        } else {
            Path data = file.resolveSibling(file.getFileName() + "_data");
            try (FileChannel ch = FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (TensorProto t : tensors) {
                    TensorProto e = embedded(t, sourceDir);
                    if (e.getRawData().size() < EXTERNAL_MIN_BYTES) {
                        b.getGraphBuilder().addInitializer(e);
                        continue;
                    }
                    long start = (externalBytes + ALIGN - 1) / ALIGN * ALIGN;
                    ByteBuffer bytes = e.getRawData().asReadOnlyByteBuffer();
                    long pos = start;
                    while (bytes.hasRemaining()) {
                        pos += ch.write(bytes, pos);
                    }
                    externalBytes = pos;
                    b.getGraphBuilder().addInitializer(e.toBuilder().clearRawData()
                            .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                            .addExternalData(kv("location", data.getFileName().toString()))
                            .addExternalData(kv("offset", Long.toString(start)))
                            .addExternalData(kv("length", Long.toString(e.getRawData().size()))));
                }
            }
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            b.build().writeTo(o);
        }
        Files.move(tmp, file);
        return externalBytes;
    }

    private static TensorProto embedded(TensorProto t, Path dir) {
        if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
            return t;
        }
        return t.toBuilder().clearExternalData().setDataLocation(TensorProto.DataLocation.DEFAULT)
                .setRawData(rawBytes(t, dir)).build();
    }

    private static String entry(TensorProto t, String key) {
        for (StringStringEntryProto e : t.getExternalDataList()) {
            if (e.getKey().equals(key)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static StringStringEntryProto kv(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }
}
