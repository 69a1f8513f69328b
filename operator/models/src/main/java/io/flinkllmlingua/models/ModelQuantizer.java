package io.flinkllmlingua.models;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.models.internal.MatMulQuantizer;
import io.flinkllmlingua.models.internal.OnnxModelFiles;
import io.flinkllmlingua.models.internal.Sha256;
import io.flinkllmlingua.models.internal.SkipLayerNormFusion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes an int8 copy of an engine model directory: every MatMul/Gemm with a 2-D float weight becomes
 * an integer GEMM on int8 weights (per output channel, symmetric) and activations quantised per row (per
 * token) inside the graph, so a sequence's logits never depend on the other rows or the padding of its batch. The
 * classifier head, embeddings, LayerNorms and the attention's activation-by-activation MatMuls stay float; each
 * residual block's bias Add, residual Add and LayerNorm then become one {@code SkipLayerNormalization}
 * ({@link SkipLayerNormFusion}). See {@code src/docs/models.md}, "Quantised models".
 *
 * <p>The output directory gets {@code model.onnx}, the source's other files (tokenizer, config) copied, and
 * {@value #MANIFEST_FILE}.
 */
public final class ModelQuantizer {
    public static final String MODEL_FILE = "model.onnx";
    public static final String MANIFEST_FILE = "quantization.json";
    /** Files of the source that describe the float model only and are not copied. */
    static final Set<String> NOT_COPIED = Set.of("fetch-manifest.json", "golden-evaluation.json", MANIFEST_FILE);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /**
     * Version of the graph this class writes, in the manifest: raised whenever the rewrite changes (a new node
     * pattern), so that a cached quantisation made by an earlier build is known to be stale.
     */
    public static final int GRAPH_VERSION = 5; // 5: weights within +-64 (MatMulQuantizer.WEIGHT_MAX)

    /** How activations are quantised per row. */
    public enum Activations {
        /**
         * uint8 with the row's own min/max range and zero point (U8S8 kernels); a zero-point correction
         * {@code zp * colsum(Wq)} follows each MatMulInteger. Slightly more accurate, slower than the default.
         */
        ASYMMETRIC_UINT8("per-row asymmetric uint8 activations"),
        /**
         * uint8, scale {@code max|x| / 127} per row, zero point 128 handled inside the GEMM (its scalar
         * {@code a_zero_point}): the U8S8 kernels VNNI/AMX accelerate with no correction node, and ONNX Runtime's
         * {@code MatMulIntegerToFloat} applies the weight scales in its output stage. The default.
         */
        SYMMETRIC_UINT8("per-row symmetric uint8 activations (zero point 128)"),
        /** int8, scale {@code max|x| / 127} per row (S8S8 kernels: much slower on x86). */
        SYMMETRIC_INT8("per-row symmetric int8 activations");

        private final String description;

        Activations(String description) {
            this.description = description;
        }

        MatMulQuantizer.Scheme scheme() {
            return MatMulQuantizer.Scheme.valueOf(name());
        }
    }

    /**
     * What was written.
     *
     * @param directory       the output directory
     * @param method          the method, as the manifest and the graph's metadata name it
     * @param sourceSha256    SHA-256 of the source {@code model.onnx}
     * @param quantizedMatMuls MatMul/Gemm nodes now int8
     * @param keptHeads       MatMuls kept float because they produce the logits
     * @param keptOther       MatMuls kept float because B is not a float 2-D weight (attention scores and context)
     * @param skipLayerNorms  residual blocks whose bias Add, residual Add and LayerNorm became one
     *                        SkipLayerNormalization
     * @param modelBytes      size of the written {@code model.onnx} (plus external data, if any)
     * @param millis          time taken
     */
    public record Result(Path directory, String method, String sourceSha256, int quantizedMatMuls, int keptHeads,
                         int keptOther, int skipLayerNorms, long modelBytes, long millis) {}

    private final Path source;
    private final Path out;
    private final Activations activations;

    private ModelQuantizer(Builder b) {
        this.source = b.source;
        this.out = b.out;
        this.activations = b.activations;
    }

    /** Quantises {@code source} into {@code out} with the default settings. */
    public static Result quantize(Path source, Path out) throws IOException {
        return builder(source, out).build().run();
    }

    /**
     * Whether {@code quantized} holds what {@link #quantize} would write for {@code source} now: its manifest names
     * the same source {@code model.onnx} (by SHA-256) and external data files of the same sizes, the default
     * activations and this {@link #GRAPH_VERSION}. A
     * cache of quantised models uses it to rebuild after the source or the quantiser changed.
     */
    public static boolean isCurrent(Path quantized, Path source) throws IOException {
        Path manifest = quantized.resolve(MANIFEST_FILE);
        if (!Files.isRegularFile(manifest) || !Files.isRegularFile(quantized.resolve(MODEL_FILE))) {
            return false;
        }
        JsonNode m;
        try {
            m = JSON.readTree(manifest.toFile());
        } catch (IOException e) {
            return false; // unreadable: rebuilt
        }
        return m.path("graph_version").asInt(-1) == GRAPH_VERSION
                && m.path("activations").asText("").equals(Builder.DEFAULT_ACTIVATIONS.name())
                && externalDataSizesMatch(m.path("source_external_data_bytes"), source)
                && m.path("source_sha256").asText("").equals(Sha256.of(source.resolve(MODEL_FILE)));
    }

    /**
     * External data (gigabytes) is compared by size, not hashed on every check; the graph's hash names its files.
     */
    private static boolean externalDataSizesMatch(JsonNode sizes, Path source) throws IOException {
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) sizes::fields) {
            Path data = source.resolve(e.getKey());
            if (!Files.isRegularFile(data) || Files.size(data) != e.getValue().asLong(-1)) {
                return false;
            }
        }
        return true;
    }

    public static Builder builder(Path source, Path out) {
        return new Builder(source, out);
    }

    public static final class Builder {
        private final Path source;
        private final Path out;
        /** The activations of {@link ModelQuantizer#quantize} and of a builder left at its default. */
        static final Activations DEFAULT_ACTIVATIONS = Activations.SYMMETRIC_UINT8;
        private Activations activations = DEFAULT_ACTIVATIONS;

        private Builder(Path source, Path out) {
            this.source = Objects.requireNonNull(source, "source");
            this.out = Objects.requireNonNull(out, "out");
        }

        public Builder activations(Activations v) {
            this.activations = Objects.requireNonNull(v, "activations");
            return this;
        }

        /**
         * @throws IllegalArgumentException when the source has no {@code model.onnx}, is already quantised by this
         *                                  class, or the output directory exists and is not empty
         */
        public ModelQuantizer build() throws IOException {
            if (!Files.isRegularFile(source.resolve(MODEL_FILE))) {
                throw new IllegalArgumentException("no " + MODEL_FILE + " in " + source);
            }
            if (Files.isRegularFile(source.resolve(MANIFEST_FILE))) {
                throw new IllegalArgumentException(source + " is already quantised (it has " + MANIFEST_FILE + ")");
            }
            if (Files.exists(out)) {
                if (!Files.isDirectory(out)) {
                    throw new IllegalArgumentException(out + " exists and is not a directory");
                }
                try (Stream<Path> s = Files.list(out)) {
                    if (s.findAny().isPresent()) {
                        throw new IllegalArgumentException(out + " is not empty: choose a new or empty directory");
                    }
                }
            }
            if (out.toAbsolutePath().normalize().equals(source.toAbsolutePath().normalize())) {
                throw new IllegalArgumentException("the output directory is the source directory");
            }
            return new ModelQuantizer(this);
        }
    }

    public Result run() throws IOException {
        long t0 = System.nanoTime();
        Path graphFile = source.resolve(MODEL_FILE);
        ModelProto model = OnnxModelFiles.read(graphFile);
        Set<String> external = OnnxModelFiles.externalFiles(model);
        ModelProto.Builder b = model.toBuilder();
        Path dir = source.toAbsolutePath().normalize();
        MatMulQuantizer.Result r;
        try {
            r = MatMulQuantizer.quantize(b, activations.scheme(), t -> OnnxModelFiles.floats(t, dir));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(graphFile + ": " + e.getMessage(), e);
        }
        if (r.quantized() == 0) {
            throw new IllegalArgumentException(graphFile + ": no MatMul with a float 2-D weight to quantise");
        }
        int skipLayerNorms = SkipLayerNormFusion.fuse(b);
        String method = "int8 weights per output channel (symmetric), " + activations.description
                + " computed in the graph; head kept float"
                + (skipLayerNorms > 0 ? "; bias, residual and LayerNorm fused (SkipLayerNormalization)" : "");
        b.addMetadataProps(StringStringEntryProto.newBuilder().setKey("quantization").setValue(method));
        // Written into a hidden sibling and moved into place at the end: a failed or killed run leaves no directory
        // that looks like a model (model.onnx without its manifest) and no debris that makes a rerun refuse "not
        // empty".
        Path target = out.toAbsolutePath().normalize();
        Files.createDirectories(target.getParent());
        Path staging = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".partial-");
        long externalBytes;
        String sha;
        try {
            externalBytes = OnnxModelFiles.write(b.build(), dir, staging.resolve(MODEL_FILE));
            Set<String> skip = new HashSet<>(NOT_COPIED);
            skip.addAll(external);
            skip.add(MODEL_FILE);
            try (Stream<Path> files = Files.list(source)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String name = f.getFileName().toString();
                    if (Files.isRegularFile(f) && !skip.contains(name) && !name.endsWith(".onnx")
                            && !name.endsWith(".onnx_data")) {
                        Files.copy(f, staging.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
            sha = Sha256.of(graphFile);
            ObjectNode m = JSON.createObjectNode();
            m.put("method", method);
            m.put("activations", activations.name());
            m.put("graph_version", GRAPH_VERSION);
            m.put("source", dir.toString());
            m.put("source_sha256", sha);
            if (!external.isEmpty()) {
                ObjectNode sizes = m.putObject("source_external_data_bytes");
                ObjectNode data = m.putObject("source_external_data_sha256");
                for (String e : external) {
                    sizes.put(e, Files.size(dir.resolve(e)));
                    data.put(e, Sha256.of(dir.resolve(e)));
                }
            }
            m.put("quantized_matmuls", r.quantized());
            m.put("float_heads", r.keptHeads());
            m.putPOJO("float_head_nodes", r.keptNames());
            m.put("float_activation_matmuls", r.keptOther());
            m.put("skip_layer_norms", skipLayerNorms);
            Files.writeString(staging.resolve(MANIFEST_FILE), JSON.writeValueAsString(m) + "\n");
            if (Files.isDirectory(target)) {
                Files.delete(target); // empty: checked by build()
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException | Error e) {
            deleteTree(staging);
            throw e;
        }
        long bytes = Files.size(out.resolve(MODEL_FILE)) + externalBytes;
        return new Result(out, method, sha, r.quantized(), r.keptHeads(), r.keptOther(), skipLayerNorms, bytes,
                (System.nanoTime() - t0) / 1_000_000);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: the failure being reported matters more
                }
            });
        } catch (IOException ignored) {
            // best effort, as above
        }
    }
}
