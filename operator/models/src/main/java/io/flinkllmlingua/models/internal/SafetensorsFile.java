package io.flinkllmlingua.models.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A read-only {@code .safetensors} file: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code {name: {dtype, shape, data_offsets: [begin, end]}}, plus an optional {@code __metadata__} string map}),
 * then the tensor bytes, offsets relative to the end of the header. Tensors are memory-mapped one at a time on
 * demand (a single mapping cannot exceed 2 GiB, and the XLM-R large checkpoint is 2.24 GB), so the weights are never
 * copied into the heap by the reader. Malformed input fails with {@link SafetensorsException} and one line naming the
 * file.
 */
public final class SafetensorsFile implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The reference implementation refuses headers over 100 MB; so does this one (a corrupt length is caught early). */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    /** Element types this reader converts to float. */
    public enum DType {
        F32(4), F16(2), BF16(2);

        final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }
    }

    /** One tensor's header entry. */
    public static final class TensorInfo {
        private final String name;
        private final DType dtype;
        private final long[] shape;
        private final long begin;
        private final long end;

        TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
            this.name = name;
            this.dtype = dtype;
            this.shape = shape;
            this.begin = begin;
            this.end = end;
        }

        public String name() { return name; }
        public DType dtype() { return dtype; }
        public long[] shape() { return shape.clone(); }

        public long elements() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        @Override
        public String toString() {
            return name + " " + dtype + Arrays.toString(shape);
        }
    }

    /** Random access to a tensor's values as floats (row-major index). */
    public interface FloatView {
        float get(long index);

        long size();
    }

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors,
                            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates the header: every tensor's byte range must match its shape and lie inside the file. */
    public static SafetensorsFile open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = ch.size();
            if (size < 8) {
                throw new SafetensorsException(path + ": not a safetensors file (" + size + " bytes, shorter than the 8-byte header length)");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long headerLength = len.flip().getLong();
            if (headerLength <= 1 || headerLength > MAX_HEADER_BYTES) {
                throw new SafetensorsException(path + ": bad safetensors header length " + headerLength
                        + " (expected 2.." + MAX_HEADER_BYTES + " bytes)");
            }
            if (8 + headerLength > size) {
                throw new SafetensorsException(path + ": truncated: the header needs " + headerLength
                        + " bytes but the file has " + (size - 8) + " after the length");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(ch, header, 8);
            JsonNode root;
            try {
                root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw new SafetensorsException(path + ": bad safetensors header: not JSON (" + e.getOriginalMessage() + ")");
            }
            if (root == null || !root.isObject()) {
                throw new SafetensorsException(path + ": bad safetensors header: not a JSON object");
            }
            long dataStart = 8 + headerLength;
            long dataSize = size - dataStart;
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                TensorInfo t = parseTensor(path, e.getKey(), e.getValue());
                if (t.end > dataSize) {
                    throw new SafetensorsException(path + ": truncated: tensor " + t.name + " ends at byte " + t.end
                            + " of the data section, which has " + dataSize + " bytes");
                }
                tensors.put(t.name, t);
            }
            return new SafetensorsFile(path, ch, dataStart, Collections.unmodifiableMap(tensors),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static TensorInfo parseTensor(Path path, String name, JsonNode n) throws SafetensorsException {
        String where = path + ": bad safetensors header: tensor " + name;
        if (!n.isObject() || !n.path("dtype").isTextual() || !n.path("shape").isArray()
                || !n.path("data_offsets").isArray() || n.path("data_offsets").size() != 2) {
            throw new SafetensorsException(where + " needs dtype, shape and data_offsets [begin, end]");
        }
        DType dtype;
        try {
            dtype = DType.valueOf(n.get("dtype").asText());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsException(where + " has dtype " + n.get("dtype").asText()
                    + " (supported: F32, F16, BF16)");
        }
        long[] shape = new long[n.get("shape").size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = n.get("shape").get(i);
            if (!d.canConvertToLong() || d.asLong() < 0) {
                throw new SafetensorsException(where + " has a bad shape " + n.get("shape"));
            }
            shape[i] = d.asLong();
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException e) {
                throw new SafetensorsException(where + " has a bad shape " + n.get("shape") + " (too many elements)");
            }
        }
        long begin = n.get("data_offsets").get(0).asLong(-1);
        long end = n.get("data_offsets").get(1).asLong(-1);
        if (begin < 0 || end < begin || elements > Long.MAX_VALUE / dtype.bytes || end - begin != elements * dtype.bytes) {
            throw new SafetensorsException(where + ": data_offsets [" + begin + ", " + end + "] do not hold "
                    + elements + " " + dtype + " values");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position + buf.position());
            if (n < 0) {
                throw new SafetensorsException("unexpected end of file");
            }
        }
    }

    public Path path() { return path; }

    /** Tensor names in header order. */
    public Set<String> names() { return tensors.keySet(); }

    public Map<String, String> metadata() { return metadata; }

    public boolean has(String name) { return tensors.containsKey(name); }

    public TensorInfo info(String name) throws SafetensorsException {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new SafetensorsException(path + ": missing tensor " + name);
        }
        return t;
    }

    /**
     * The tensor's values, memory-mapped, checked against {@code expectedShape}.
     *
     * @throws SafetensorsException when the tensor is missing or its shape differs (the message names both shapes)
     */
    public FloatView floats(String name, long... expectedShape) throws IOException {
        TensorInfo t = info(name);
        if (!Arrays.equals(t.shape, expectedShape)) {
            throw new SafetensorsException(path + ": tensor " + name + " has shape " + Arrays.toString(t.shape)
                    + " but config.json implies " + Arrays.toString(expectedShape));
        }
        long bytes = t.end - t.begin;
        if (bytes > Integer.MAX_VALUE) {
            throw new SafetensorsException(path + ": tensor " + name + " has " + bytes + " bytes, over the 2 GiB a single mapping can hold");
        }
        ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin, bytes)
                .order(ByteOrder.LITTLE_ENDIAN);
        long size = t.elements();
        switch (t.dtype) {
            case F32:
                return new FloatView() {
                    public float get(long i) { return mapped.getFloat((int) (i * 4)); }
                    public long size() { return size; }
                };
            case F16:
                return new FloatView() {
                    public float get(long i) { return halfToFloat(mapped.getShort((int) (i * 2))); }
                    public long size() { return size; }
                };
            case BF16:
                return new FloatView() {
                    public float get(long i) { return Float.intBitsToFloat((mapped.getShort((int) (i * 2)) & 0xFFFF) << 16); }
                    public long size() { return size; }
                };
            default:
                throw new IllegalStateException(t.dtype.name());
        }
    }

    /** IEEE 754 binary16 to float (exact; Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h >>> 15) << 31;
        int exp = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13)); // inf or NaN
        }
        if (exp == 0) {
            float v = mantissa * 0x1.0p-24f; // subnormal (or zero): exact in float
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mantissa << 13));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /**
     * A malformed or inconsistent safetensors file; the message is one line naming the file. A
     * {@link io.flinkllmlingua.models.CheckpointImportException}, so callers outside this package catch that.
     */
    public static final class SafetensorsException extends io.flinkllmlingua.models.CheckpointImportException {
        public SafetensorsException(String message) {
            super(message);
        }
    }
}
