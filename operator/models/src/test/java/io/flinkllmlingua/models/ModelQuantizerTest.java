package io.flinkllmlingua.models;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.PromptCompressor;
import io.flinkllmlingua.models.internal.Sha256;
import io.flinkllmlingua.models.minilm.MiniLmModelBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelQuantizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * How far a row's logits may move with its batch. Measured: 0 (bitwise equal) for the float and the int8 graphs
     * on this CPU (the integer product is exact and every float step acts on one row); a small bound instead of 0
     * allows a float kernel that blocks rows differently by batch size. Per-tensor quantisation moves them by 1e-2
     * and more (see {@link #perTensorQuantisationWouldDependOnTheBatch}).
     */
    private static final double BATCH_NOISE = 1e-5;

    @Test
    void everyWeightMatMulIsInt8AndTheHeadStaysFloat(@TempDir Path tmp) throws IOException {
        for (GeneratedFamily family : GeneratedFamily.values()) {
            GeneratedModel src = TinyModelGenerator.generate(tmp.resolve(family + "-fp32"), ModelSpec.tiny(family));
            ModelQuantizer.Result r = ModelQuantizer.quantize(src.directory(), tmp.resolve(family + "-int8"));
            ModelSpec spec = src.spec();
            // Q, K, V, attention output, FFN in, FFN out per layer; Q/K/V share one MatMulInteger.
            assertEquals(6 * spec.layers(), r.quantizedMatMuls());
            assertEquals(1, r.keptHeads());
            assertEquals(2 * spec.layers(), r.keptOther());
            ModelProto m = ModelProto.parseFrom(Files.readAllBytes(r.directory().resolve("model.onnx")));
            ModelProto s = ModelProto.parseFrom(Files.readAllBytes(src.modelFile()));
            long integer = m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("MatMulIntegerToFloat")
                    && n.getDomain().equals("com.microsoft")).count();
            assertEquals(4L * spec.layers(), integer);
            // Both residual blocks of every layer; the embeddings' LayerNorm (no bias Add) stays.
            assertEquals(2 * spec.layers(), r.skipLayerNorms());
            assertEquals(2L * spec.layers(), m.getGraph().getNodeList().stream().filter(n ->
                    n.getOpType().equals("SkipLayerNormalization") && n.getDomain().equals("com.microsoft")).count());
            assertEquals(1L, m.getGraph().getNodeList().stream()
                    .filter(n -> n.getOpType().equals("LayerNormalization")).count());
            assertTrue(m.getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("MatMulInteger")
                    || n.getOpType().equals("DequantizeLinear")), "the default scheme fuses the dequantisation");
            assertTrue(m.getOpsetImportList().stream().anyMatch(o -> o.getDomain().equals("com.microsoft")
                    && o.getVersion() == 1));
            for (NodeProto n : m.getGraph().getNodeList()) {
                if (n.getOpType().equals("MatMul")) {
                    boolean weight = m.getGraph().getInitializerList().stream()
                            .anyMatch(t -> t.getName().equals(n.getInput(1)) && t.getDimsCount() == 2);
                    assertTrue(!weight || n.getOutput(0).startsWith("classifier"), "float weight MatMul left: " + n);
                }
            }
            assertTrue(m.getGraph().getInitializerList().stream().anyMatch(t -> t.getName().equals("classifier.weight")
                    && t.getDataType() == TensorProto.DataType.FLOAT_VALUE));
            assertTrue(m.getGraph().getInitializerList().stream().anyMatch(t ->
                    t.getName().equals("embeddings.word_embeddings.weight")
                            && t.getDataType() == TensorProto.DataType.FLOAT_VALUE));
            assertEquals(s.getGraph().getInputList(), m.getGraph().getInputList());
            assertEquals(s.getGraph().getOutputList(), m.getGraph().getOutputList());
            assertTrue(Files.isRegularFile(r.directory().resolve("tokenizer.json")));
            JsonNode manifest = JSON.readTree(r.directory().resolve(ModelQuantizer.MANIFEST_FILE).toFile());
            assertEquals(Sha256.of(src.modelFile()), manifest.get("source_sha256").asText());
            assertEquals(r.quantizedMatMuls(), manifest.get("quantized_matmuls").asInt());
            assertEquals(r.skipLayerNorms(), manifest.get("skip_layer_norms").asInt());
            assertEquals("SYMMETRIC_UINT8", manifest.get("activations").asText());

            try (PromptCompressor c = PromptCompressor.open(EngineConfig.builder(r.directory()).build())) {
                CompressionResult out = c.compress(List.of("The quick brown fox jumps over the lazy dog near the"
                        + " river bank at noon."), CompressionOptions.builder().rate(0.5).build());
                assertFalse(out.compressedPrompt().isEmpty());
                assertTrue(out.compressedTokens() < out.originTokens());
            }
        }
    }

    @Test
    void externalDataSourceBecomesOneFile(@TempDir Path tmp) throws IOException {
        GeneratedModel src = TinyModelGenerator.generate(tmp.resolve("fp32"),
                ModelSpec.tiny(GeneratedFamily.SENTENCEPIECE).withWeightStorage(ModelSpec.WeightStorage.EXTERNAL));
        assertTrue(Files.isRegularFile(src.directory().resolve(TinyModelGenerator.EXTERNAL_DATA_FILE)));
        ModelQuantizer.Result r = ModelQuantizer.quantize(src.directory(), tmp.resolve("int8"));
        assertFalse(Files.exists(r.directory().resolve(TinyModelGenerator.EXTERNAL_DATA_FILE)));
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(r.directory().resolve("model.onnx")));
        assertTrue(m.getGraph().getInitializerList().stream()
                .noneMatch(t -> t.getDataLocation() == TensorProto.DataLocation.EXTERNAL));
        // Same weights as from the embedded source.
        GeneratedModel embedded = TinyModelGenerator.generate(tmp.resolve("fp32-embedded"),
                ModelSpec.tiny(GeneratedFamily.SENTENCEPIECE));
        ModelQuantizer.Result r2 = ModelQuantizer.quantize(embedded.directory(), tmp.resolve("int8-embedded"));
        int v = embedded.baseVocabSize();
        long[] ids = {0, v / 2, v / 2 + 1, v - 1, 2};
        assertEquals(0.0, maxDiff(logits(r.directory(), ids, 1, 5), logits(r2.directory(), ids, 1, 5)));
    }

    @Test
    void aSequencesLogitsDoNotDependOnItsBatch(@TempDir Path tmp) throws IOException {
        Path fp32 = tmp.resolve("minilm");
        MiniLmModelBuilder.build(fp32);
        Path int8 = ModelQuantizer.quantize(fp32, tmp.resolve("minilm-int8")).directory();
        GeneratedModel tinyModel = TinyModelGenerator.generate(tmp.resolve("tiny"),
                ModelSpec.tiny(GeneratedFamily.WORDPIECE));
        Path tiny = tinyModel.directory();
        Path tinyInt8 = ModelQuantizer.quantize(tiny, tmp.resolve("tiny-int8")).directory();
        for (Path model : List.of(fp32, int8, tinyInt8)) {
            double d = batchDependence(model, model == tinyInt8 ? tinyModel.baseVocabSize() : 30000);
            System.out.printf("batch dependence of %s: %.3g%n", model.getFileName(), d);
            assertTrue(d <= BATCH_NOISE, model + ": a row's logits moved by " + d + " with its batch");
        }
    }

    /** The contrast: ONNX Runtime's per-tensor dynamic quantisation (the shipped MiniLM graph) moves them. */
    @Test
    void perTensorQuantisationWouldDependOnTheBatch(@TempDir Path tmp) throws IOException {
        Path perTensor = tmp.resolve("minilm-q");
        MiniLmModelBuilder.build(perTensor, MiniLmModelBuilder.Variant.QUANTIZED);
        double d = batchDependence(perTensor, 30000);
        System.out.printf("batch dependence of per-tensor quantisation: %.3g%n", d);
        assertTrue(d > 100 * BATCH_NOISE, "per-tensor quantisation moved a row by only " + d);
    }

    @Test
    void aQuantisationIsCurrentForItsOwnSourceAndThisQuantiserOnly(@TempDir Path tmp) throws IOException {
        Path a = TinyModelGenerator.generateTiny(tmp.resolve("a"), GeneratedFamily.WORDPIECE).directory();
        Path b = TinyModelGenerator.generateTiny(tmp.resolve("b"), GeneratedFamily.SENTENCEPIECE).directory();
        Path q = ModelQuantizer.quantize(a, tmp.resolve("a-int8")).directory();
        assertTrue(ModelQuantizer.isCurrent(q, a));
        assertFalse(ModelQuantizer.isCurrent(q, b), "another source");
        assertFalse(ModelQuantizer.isCurrent(tmp.resolve("none"), a), "nothing there");
        Path manifest = q.resolve(ModelQuantizer.MANIFEST_FILE);
        String written = Files.readString(manifest);
        Files.writeString(manifest, written.replace("\"graph_version\" : " + ModelQuantizer.GRAPH_VERSION,
                "\"graph_version\" : " + (ModelQuantizer.GRAPH_VERSION - 1)));
        assertFalse(ModelQuantizer.isCurrent(q, a), "an earlier quantiser's graph");
        Files.writeString(manifest, written.replace("SYMMETRIC_UINT8", "ASYMMETRIC_UINT8"));
        assertFalse(ModelQuantizer.isCurrent(q, a), "other activations than the default");
        Files.writeString(manifest, "{not json");
        assertFalse(ModelQuantizer.isCurrent(q, a), "an unreadable manifest");

        // External weights regenerated to another size behind the same graph.
        GeneratedModel ext = TinyModelGenerator.generate(tmp.resolve("ext"),
                ModelSpec.tiny(GeneratedFamily.WORDPIECE).withWeightStorage(ModelSpec.WeightStorage.EXTERNAL));
        Path qe = ModelQuantizer.quantize(ext.directory(), tmp.resolve("ext-int8")).directory();
        assertTrue(ModelQuantizer.isCurrent(qe, ext.directory()));
        Path data = ext.directory().resolve(TinyModelGenerator.EXTERNAL_DATA_FILE);
        Files.write(data, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
        assertFalse(ModelQuantizer.isCurrent(qe, ext.directory()), "external data of another size");
    }

    @Test
    void aFailedWriteLeavesNothingBehind(@TempDir Path tmp) throws IOException {
        GeneratedModel src = TinyModelGenerator.generate(tmp.resolve("fp32"),
                ModelSpec.tiny(GeneratedFamily.WORDPIECE).withWeightStorage(ModelSpec.WeightStorage.EXTERNAL));
        // A tensor no MatMul reads (an embedding table, which the quantiser leaves alone) whose external data lies past
        // the end of the file: the rewrite succeeds and writing the output fails.
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(src.modelFile()));
        ModelProto.Builder b = m.toBuilder();
        Set<String> matMulInputs = new java.util.HashSet<>();
        for (NodeProto n : m.getGraph().getNodeList()) {
            if (n.getOpType().equals("MatMul")) {
                matMulInputs.addAll(n.getInputList());
            }
        }
        int broken = -1;
        for (int i = 0; i < b.getGraph().getInitializerCount() && broken < 0; i++) {
            TensorProto t = b.getGraph().getInitializer(i);
            if (!matMulInputs.contains(t.getName()) && t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                broken = i;
            }
        }
        assertTrue(broken >= 0, "the external-data tiny model has an external tensor that no MatMul reads");
        TensorProto.Builder t = b.getGraphBuilder().getInitializerBuilder(broken);
        for (int k = 0; k < t.getExternalDataCount(); k++) {
            if (t.getExternalData(k).getKey().equals("offset")) {
                t.getExternalDataBuilder(k).setValue("999999999999");
            }
        }
        Files.write(src.modelFile(), b.build().toByteArray());
        Path out = tmp.resolve("int8");
        assertThrows(Exception.class, () -> ModelQuantizer.quantize(src.directory(), out));
        assertFalse(Files.exists(out), "no half-written model directory");
        try (var left = Files.list(tmp)) {
            assertEquals(Set.of("fp32"), left.map(p -> p.getFileName().toString())
                    .collect(java.util.stream.Collectors.toSet()), "no staging directory left");
        }
    }

    @Test
    void refusesBadDirectories(@TempDir Path tmp) throws IOException {
        Path src = TinyModelGenerator.generateTiny(tmp.resolve("src"), GeneratedFamily.WORDPIECE).directory();
        Path busy = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(busy.resolve("x"), "x");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelQuantizer.builder(src, busy).build())
                .getMessage().contains("not empty"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ModelQuantizer.builder(tmp.resolve("none"), tmp.resolve("o")).build())
                .getMessage().contains("no model.onnx"));
        Path q = ModelQuantizer.quantize(src, tmp.resolve("q")).directory();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelQuantizer.builder(q, tmp.resolve("qq"))
                .build()).getMessage().contains("already quantised"));
    }

    /**
     * The largest change of one sequence's logits between running it alone at its exact length and running it as the
     * middle row of a batch padded to twice its length, next to a row of other (random, large-activation) tokens and
     * a short row.
     */
    static double batchDependence(Path model, int vocab) {
        int n = 20;
        int len = 40;
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i == 0 ? 101 : i == n - 1 ? 102 : 1000 + (37L * i) % (vocab - 1000);
        }
        float[] alone = logits(model, ids, 1, n);
        long[] batch = new long[3 * len];
        long[] mask = new long[3 * len];
        for (int i = 0; i < len; i++) {
            batch[i] = 200 + (i * 7919L) % (vocab - 200);
            mask[i] = 1;
        }
        for (int i = 0; i < n; i++) {
            batch[len + i] = ids[i];
            mask[len + i] = 1;
        }
        for (int i = 0; i < 5; i++) {
            batch[2 * len + i] = 300 + i;
            mask[2 * len + i] = 1;
        }
        float[] all = run(model, batch, mask, 3, len);
        float[] middle = new float[2 * n];
        System.arraycopy(all, 2 * len, middle, 0, 2 * n);
        return maxDiff(alone, middle);
    }

    static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    static float[] logits(Path model, long[] ids, int rows, int len) {
        long[] mask = new long[ids.length];
        java.util.Arrays.fill(mask, 1);
        return run(model, ids, mask, rows, len);
    }

    /** Raw logits {@code [rows, len, 2]}, row-major, with the engine's optimisation level (ALL). */
    static float[] run(Path model, long[] ids, long[] mask, int rows, int len) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession s = env.createSession(model.resolve("model.onnx").toString(), o)) {
                long[] shape = {rows, len};
                Map<String, OnnxTensor> feed = new HashMap<>();
                try {
                    feed.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
                    feed.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
                    if (s.getInputNames().contains("token_type_ids")) {
                        feed.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape));
                    }
                    try (OrtSession.Result r = s.run(feed, Set.of("logits"))) {
                        OnnxTensor t = (OnnxTensor) r.get(0);
                        float[] out = new float[rows * len * 2];
                        t.getFloatBuffer().get(out);
                        return out;
                    }
                } finally {
                    feed.values().forEach(OnnxTensor::close);
                }
            }
        } catch (OrtException e) {
            throw new AssertionError(e);
        }
    }
}
