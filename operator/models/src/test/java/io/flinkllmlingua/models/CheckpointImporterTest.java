package io.flinkllmlingua.models;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.models.internal.SafetensorsFile;
import io.flinkllmlingua.models.internal.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CheckpointImporter}: random checkpoints in the transformers safetensors layout, converted, run with ONNX
 * Runtime and compared with {@link ReferenceEncoder}, an independent plain-Java forward pass.
 */
class CheckpointImporterTest {
    /** Largest allowed |ONNX - reference| on any output value. */
    static final double TOLERANCE = 1e-5;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static Stream<Arguments> cases() {
        return Stream.of(
                // family, stored dtype, classifier, own placeholder rows, bert./roberta. prefix
                Arguments.of(GeneratedFamily.WORDPIECE, TestCheckpoint.DType.F32, true, true, true),
                Arguments.of(GeneratedFamily.SENTENCEPIECE, TestCheckpoint.DType.F32, true, true, true),
                Arguments.of(GeneratedFamily.WORDPIECE, TestCheckpoint.DType.F16, true, false, true),
                Arguments.of(GeneratedFamily.SENTENCEPIECE, TestCheckpoint.DType.BF16, true, false, true),
                Arguments.of(GeneratedFamily.WORDPIECE, TestCheckpoint.DType.BF16, false, false, false),
                Arguments.of(GeneratedFamily.SENTENCEPIECE, TestCheckpoint.DType.F16, false, true, true));
    }

    @ParameterizedTest(name = "{0} {1} classifier={2} ownPlaceholders={3} prefixed={4}")
    @MethodSource("cases")
    void onnxOutputMatchesTheReferenceForwardPass(GeneratedFamily family, TestCheckpoint.DType dtype, boolean classifier,
                                                  boolean ownPlaceholders, boolean prefixed) throws Exception {
        Path tokenizer = tmp.resolve("tokenizer");
        int base = TinyModelGenerator.generateTiny(tokenizer, family).baseVocabSize();
        TestCheckpoint ckpt = new TestCheckpoint(family, 2, 32, 4, 64, classifier, ownPlaceholders, prefixed, base, 7);
        Path source = tmp.resolve("checkpoint");
        ckpt.write(source, tokenizer, dtype);
        List<String> progress = new ArrayList<>();
        Path out = tmp.resolve("model");
        ImportedModel m = CheckpointImporter.importCheckpoint(source, out, progress::add);

        assertEquals(classifier ? "logits" : "last_hidden_state", m.output());
        assertEquals(base, m.baseVocabSize());
        assertEquals(base + 100, m.embeddingRows());
        assertEquals(ownPlaceholders ? 0 : 100, m.copiedPlaceholders());
        assertTrue(progress.stream().anyMatch(s -> s.equals("encoder layer 2/2")), progress.toString());
        assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
        assertTrue(Files.isRegularFile(out.resolve("tokenizer_config.json")));
        JsonNode manifest = CheckpointImporter.readManifest(out);
        assertEquals(Sha256.of(source.resolve("model.safetensors")), manifest.at("/sources/0/sha256").asText());
        assertEquals("model.safetensors", manifest.at("/sources/0/file").asText());
        assertEquals(base + 100, JSON.readTree(out.resolve("config.json").toFile()).get("vocab_size").asInt());

        ReferenceEncoder reference = new ReferenceEncoder(ckpt);
        SplittableRandom r = new SplittableRandom(11);
        long pad = ckpt.padId;
        List<long[][]> batches = new ArrayList<>();
        for (int len : new int[] {1, 5, 17, 40}) {
            batches.add(new long[][] {randomIds(r, len, base)});
        }
        // A batch of two with different lengths: the shorter row is padded (pad id, mask 0).
        long[] a = randomIds(r, 23, base);
        long[] b = randomIds(r, 9, base);
        long[] bPadded = new long[23];
        java.util.Arrays.fill(bPadded, pad);
        System.arraycopy(b, 0, bPadded, 0, b.length);
        batches.add(new long[][] {a, bPadded});

        double maxError = 0;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(out.resolve("model.onnx").toString(), new OrtSession.SessionOptions())) {
            assertEquals(family == GeneratedFamily.WORDPIECE, session.getInputNames().contains("token_type_ids"));
            for (long[][] ids : batches) {
                long[][] mask = new long[ids.length][ids[0].length];
                for (int i = 0; i < ids.length; i++) {
                    for (int j = 0; j < ids[i].length; j++) {
                        mask[i][j] = ids[i][j] == pad ? 0 : 1;
                    }
                }
                float[][][] onnx = run(env, session, ids, mask, m.output());
                for (int i = 0; i < ids.length; i++) {
                    double[][] expected = reference.forward(ids[i], mask[i]);
                    for (int t = 0; t < ids[i].length; t++) {
                        if (mask[i][t] == 0) {
                            continue; // padding positions are not read by the engine; transformers' values there are arbitrary
                        }
                        assertEquals(expected[t].length, onnx[i][t].length);
                        for (int j = 0; j < expected[t].length; j++) {
                            maxError = Math.max(maxError, Math.abs(expected[t][j] - onnx[i][t][j]));
                        }
                    }
                }
                // Padding must not change the shorter row's values: compare with it alone.
                if (ids.length == 2) {
                    float[][][] alone = run(env, session, new long[][] {b}, new long[][] {ones(b.length)}, m.output());
                    for (int t = 0; t < b.length; t++) {
                        for (int j = 0; j < alone[0][t].length; j++) {
                            maxError = Math.max(maxError, Math.abs(alone[0][t][j] - onnx[1][t][j]));
                        }
                    }
                }
            }
        }
        System.out.printf("CheckpointImporterTest %s %s classifier=%s: max |onnx - reference| = %.3g on %s%n",
                family, dtype, classifier, maxError, m.output());
        assertTrue(maxError <= TOLERANCE, "max abs error " + maxError);
    }

    /** Ids of real tokens (never the pad id), with a placeholder id [NEW3] in longer sequences. */
    private static long[] randomIds(SplittableRandom r, int len, int base) {
        long[] ids = new long[len];
        for (int i = 0; i < len; i++) {
            ids[i] = 5 + r.nextInt(base - 5);
        }
        if (len > 4) {
            ids[len / 2] = base + 3;
        }
        return ids;
    }

    private static long[] ones(int n) {
        long[] m = new long[n];
        java.util.Arrays.fill(m, 1);
        return m;
    }

    private static float[][][] run(OrtEnvironment env, OrtSession session, long[][] ids, long[][] mask, String output)
            throws OrtException {
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, ids));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
            if (session.getInputNames().contains("token_type_ids")) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, new long[ids.length][ids[0].length]));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                return (float[][][]) result.get(output).orElseThrow().getValue();
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Test
    void halfAndBfloat16AreDecodedExactly() throws IOException {
        Map<String, TestCheckpoint.Tensor> t = new LinkedHashMap<>();
        float[] values = {1f, -2f, 0.5f, 0f, 65504f, 0x1p-24f, -0x1p-14f, 3.140625f};
        t.put("v", new TestCheckpoint.Tensor(new long[] {values.length}, values));
        for (TestCheckpoint.DType d : TestCheckpoint.DType.values()) {
            if (d == TestCheckpoint.DType.BF16) {
                continue; // 65504 and 2^-24 are exact in bfloat16 too, but 3.140625 is not
            }
            Path f = tmp.resolve("v-" + d + ".safetensors");
            TestCheckpoint.writeSafetensors(f, t, d, Map.of());
            try (SafetensorsFile st = SafetensorsFile.open(f)) {
                SafetensorsFile.FloatView v = st.floats("v", values.length);
                for (int i = 0; i < values.length; i++) {
                    assertEquals(values[i], v.get(i), d + " value " + i);
                }
            }
        }
        float[] bf = {1f, -2f, 0.5f, 0f, 3.140625f - 0.015625f, -0x1p-100f, 256f, 1.0078125f};
        t.put("v", new TestCheckpoint.Tensor(new long[] {bf.length}, bf));
        Path f = tmp.resolve("v-bf16.safetensors");
        TestCheckpoint.writeSafetensors(f, t, TestCheckpoint.DType.BF16, Map.of("format", "pt"));
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertEquals("pt", st.metadata().get("format"));
            SafetensorsFile.FloatView v = st.floats("v", bf.length);
            for (int i = 0; i < bf.length; i++) {
                assertEquals(bf[i], v.get(i), "bf16 value " + i);
            }
        }
    }

    private Path smallCheckpoint() throws IOException {
        Path tokenizer = tmp.resolve("tok");
        int base = TinyModelGenerator.generateTiny(tokenizer, GeneratedFamily.WORDPIECE).baseVocabSize();
        Path source = tmp.resolve("bad");
        new TestCheckpoint(GeneratedFamily.WORDPIECE, 1, 16, 2, 32, true, true, true, base, 3)
                .write(source, tokenizer, TestCheckpoint.DType.F32);
        return source;
    }

    private String importError(Path source) {
        CheckpointImportException e = assertThrows(CheckpointImportException.class,
                () -> CheckpointImporter.importCheckpoint(source, tmp.resolve("out"), s -> { }));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    private String readerError(Path source) {
        IOException e = assertThrows(IOException.class,
                () -> CheckpointImporter.importCheckpoint(source, tmp.resolve("out"), s -> { }));
        assertTrue(e instanceof SafetensorsFile.SafetensorsException, e.toString());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void truncatedFileIsRefusedWithOneLine() throws IOException {
        Path source = smallCheckpoint();
        Path weights = source.resolve("model.safetensors");
        try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 100);
        }
        String m = readerError(source);
        assertTrue(m.contains("truncated: tensor classifier.") && m.contains(weights.toString()), m);

        try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
            ch.truncate(20);
        }
        m = readerError(source);
        assertTrue(m.contains("truncated: the header needs"), m);
    }

    @Test
    void badHeaderIsRefusedWithOneLine() throws IOException {
        Path source = smallCheckpoint();
        Path weights = source.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[8] = 'x'; // the header's opening brace
        Files.write(weights, bytes);
        assertTrue(readerError(source).contains("bad safetensors header: not JSON"));
        Files.write(weights, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0, 0, 0, 0, '{', '}'});
        assertTrue(readerError(source).contains("bad safetensors header length"));
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        Path source = smallCheckpoint();
        Path weights = source.resolve("model.safetensors");
        Map<String, TestCheckpoint.Tensor> all = new LinkedHashMap<>();
        try (SafetensorsFile st = SafetensorsFile.open(weights)) {
            for (String name : st.names()) {
                if (!name.equals("bert.encoder.layer.0.attention.self.key.weight")) {
                    SafetensorsFile.TensorInfo info = st.info(name);
                    SafetensorsFile.FloatView v = st.floats(name, info.shape());
                    float[] values = new float[(int) v.size()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = v.get(i);
                    }
                    all.put(name, new TestCheckpoint.Tensor(info.shape(), values));
                }
            }
        }
        TestCheckpoint.writeSafetensors(weights, all, TestCheckpoint.DType.F32, Map.of());
        String m = readerError(source);
        assertTrue(m.endsWith("missing tensor bert.encoder.layer.0.attention.self.key.weight"), m);
    }

    @Test
    void shapeThatDisagreesWithConfigIsNamed() throws IOException {
        Path source = smallCheckpoint();
        ObjectNode config = (ObjectNode) JSON.readTree(source.resolve("config.json").toFile());
        config.put("intermediate_size", 48);
        JSON.writeValue(source.resolve("config.json").toFile(), config);
        String m = readerError(source);
        assertTrue(m.contains("bert.encoder.layer.0.intermediate.dense.weight has shape [32, 16] but config.json implies [48, 16]"), m);
    }

    @Test
    void unsupportedArchitectureAndMissingFilesAreUserErrors() throws IOException {
        Path source = smallCheckpoint();
        ObjectNode config = (ObjectNode) JSON.readTree(source.resolve("config.json").toFile());
        config.putArray("architectures").add("GPT2LMHeadModel");
        JSON.writeValue(source.resolve("config.json").toFile(), config);
        assertTrue(importError(source).contains("architecture GPT2LMHeadModel is not supported"));
        Files.delete(source.resolve("tokenizer.json"));
        assertTrue(importError(source).startsWith("No tokenizer.json in checkpoint directory"));
        assertTrue(importError(tmp.resolve("nowhere")).startsWith("No model.safetensors in checkpoint directory"));
    }

    @Test
    void largeWeightsCanGoToExternalData() throws IOException {
        Path source = smallCheckpoint();
        Path out = tmp.resolve("external");
        ImportedModel m = CheckpointImporter.importCheckpoint(source, out, ModelSpec.WeightStorage.EXTERNAL,
                "test/repo@0123", s -> { });
        assertTrue(m.externalBytes() > 0);
        assertTrue(Files.size(out.resolve("model.onnx_data")) >= m.externalBytes());
        assertEquals("test/repo@0123", CheckpointImporter.readManifest(out).get("origin").asText());
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(out.resolve("model.onnx").toString(),
                new OrtSession.SessionOptions())) {
            assertArrayEquals(new Object[] {"logits"}, s.getOutputNames().toArray());
        } catch (OrtException e) {
            throw new AssertionError(e);
        }
    }
}
