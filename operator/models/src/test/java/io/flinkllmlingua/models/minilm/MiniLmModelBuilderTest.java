package io.flinkllmlingua.models.minilm;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MiniLmModelBuilderTest {
    private static final Map<String, String> TOKENIZER_OPTIONS =
            Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** English documentation-style text (written for this test) used to check and calibrate the head. */
    static final List<String> TEXTS = List.of(
            "The configuration file is read once at startup. If a value is missing, the server falls back to the "
                    + "default listed in the table below, and a warning is written to the log.",
            "To install the package, download the archive, unpack it into a directory of your choice and run the "
                    + "install script as an ordinary user. Root permissions are only needed for system-wide services.",
            "Each request carries a time limit in milliseconds. When the limit expires before an answer arrives, "
                    + "the client retries twice with a longer delay and then reports an error to the caller.",
            "Compression keeps the words that carry the meaning of a sentence and drops fillers such as articles, "
                    + "so that a long prompt fits into the context window of a language model.");

    @TempDir
    static Path tmp;
    private static MiniLmModel model;
    private static OrtEnvironment env;

    @BeforeAll
    static void build() throws IOException {
        model = MiniLmModelBuilder.build(tmp.resolve("minilm"));
        System.out.printf("MiniLM model: %d bytes, built in %d ms, extended %s%n",
                model.modelBytes(), model.millis(), model.embeddingInitializer());
        env = OrtEnvironment.getEnvironment();
    }

    @AfterAll
    static void done() {
        model = null;
    }

    @Test
    void writesTheModelDirectory() throws IOException {
        Path dir = model.directory();
        for (String f : List.of("model.onnx", "tokenizer.json", "tokenizer_config.json", "config.json")) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        assertArrayEquals(MiniLmModelBuilder.resource(MiniLmModelBuilder.TOKENIZER_RESOURCE),
                Files.readAllBytes(model.tokenizerFile()), "tokenizer.json is the shipped one, unchanged");
        JsonNode config = JSON.readTree(dir.resolve("config.json").toFile());
        assertEquals("BertForTokenClassification", config.at("/architectures/0").asText());
        assertEquals(30622, config.get("vocab_size").asInt());
        assertEquals(0, config.get("pad_token_id").asInt());
        assertEquals(2, config.get("type_vocab_size").asInt());
        assertEquals(2, config.get("num_labels").asInt());
        assertEquals(MiniLmModelBuilder.NOTE, config.get("note").asText());
        JsonNode tc = JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
        assertEquals("BertTokenizer", tc.get("tokenizer_class").asText());
        assertTrue(tc.get("do_lower_case").asBoolean());
        assertEquals("embeddings.word_embeddings.weight_quantized", model.embeddingInitializer());
        assertEquals(30622, model.embeddingRows());

        MiniLmModel again = MiniLmModelBuilder.build(tmp.resolve("again"));
        assertEquals(-1, Files.mismatch(model.modelFile(), again.modelFile()), "deterministic build");
    }

    @Test
    void classifiesARealSentence() throws Exception {
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(model.tokenizerFile(), TOKENIZER_OPTIONS);
             OrtSession session = env.createSession(model.modelFile().toString(), new OrtSession.SessionOptions())) {
            assertEquals(Set.of("input_ids", "attention_mask", "token_type_ids"), session.getInputNames());
            assertEquals(Set.of("logits"), session.getOutputNames());
            String sentence = "Flink jobs compress long prompts before they reach the language model.";
            String[] tokens = tok.encode(sentence).getTokens();
            assertTrue(Arrays.stream(tokens).allMatch(t -> t.equals(t.toLowerCase())), "lower-case WordPiece");
            assertTrue(Arrays.asList(tokens).containsAll(List.of("jobs", "##press", "long", "language", "model")),
                    Arrays.toString(tokens));
            long[] ids = withSpecials(tok.encode(sentence).getIds());
            float[][][] out = run(session, List.of(ids));
            assertEquals(1, out.length);
            assertEquals(ids.length, out[0].length);
            int keep = 0;
            for (float[] pos : out[0]) {
                assertEquals(2, pos.length);
                assertTrue(Float.isFinite(pos[0]) && Float.isFinite(pos[1]));
                keep += pos[1] > pos[0] ? 1 : 0;
            }
            assertTrue(keep > 0 && keep < ids.length, "mix of keep and drop: " + keep + " of " + ids.length);

            // Padding in a batch does not change the real positions.
            long[] other = withSpecials(tok.encode(TEXTS.get(0)).getIds());
            float[][][] batch = run(session, List.of(ids, other));
            for (int t = 0; t < ids.length; t++) {
                assertArrayEquals(out[0][t], batch[0][t], 1e-4f);
            }

            // A long text is neither truncated nor padded to the shipped 128 (the options override tokenizer.json).
            String longText = String.join(" ", TEXTS) + " " + String.join(" ", TEXTS);
            long[] longIds = tok.encode(longText).getIds();
            assertTrue(longIds.length > 128, "length " + longIds.length);
            assertFalse(Arrays.stream(longIds).anyMatch(id -> id == 0), "no padding");
        }
    }

    /** The encoder build is the classifier without its head: its hidden rows times the head give the logits. */
    @Test
    void encoderIsTheClassifierWithoutItsHead() throws Exception {
        MiniLmModel encoder = MiniLmModelBuilder.buildEncoder(tmp.resolve("encoder"));
        JsonNode config = JSON.readTree(encoder.directory().resolve("config.json").toFile());
        assertEquals("BertModel", config.at("/architectures/0").asText());
        assertFalse(config.has("num_labels"));
        assertEquals(30622, encoder.embeddingRows());
        float[] weight = MiniLmModelBuilder.headWeights(MiniLmModelBuilder.headDirection(MiniLmModelBuilder.HEAD_SEED),
                MiniLmModelBuilder.HEAD_SCALE);
        float bias = MiniLmModelBuilder.HEAD_BIAS;
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(model.tokenizerFile(), TOKENIZER_OPTIONS);
             OrtSession enc = env.createSession(encoder.modelFile().toString(), new OrtSession.SessionOptions());
             OrtSession cls = env.createSession(model.modelFile().toString(), new OrtSession.SessionOptions())) {
            assertEquals(Set.of(MiniLmModelBuilder.FEATURES_OUTPUT), enc.getOutputNames());
            long[] ids = withSpecials(tok.encode(TEXTS.get(1)).getIds());
            ids[3] = 30600; // a placeholder row exists in the encoder too
            float[][][] logits = run(cls, List.of(ids));
            Map<String, OnnxTensor> feed = new HashMap<>();
            long[][] mask = new long[1][ids.length];
            Arrays.fill(mask[0], 1L);
            feed.put("input_ids", OnnxTensor.createTensor(env, new long[][] {ids}));
            feed.put("attention_mask", OnnxTensor.createTensor(env, mask));
            feed.put("token_type_ids", OnnxTensor.createTensor(env, new long[1][ids.length]));
            try (OrtSession.Result r = enc.run(feed)) {
                float[][] hidden = ((float[][][]) r.get(0).getValue())[0];
                for (int t = 0; t < ids.length; t++) {
                    // embedding layer, layer 3, last layer: the classifier's head reads the last 384
                    assertEquals(3 * 384, hidden[t].length);
                    double l0 = -bias / 2;
                    double l1 = bias / 2;
                    for (int j = 0; j < 384; j++) {
                        l0 += hidden[t][768 + j] * weight[2 * j];
                        l1 += hidden[t][768 + j] * weight[2 * j + 1];
                    }
                    assertEquals(logits[0][t][0], l0, 1e-4);
                    assertEquals(logits[0][t][1], l1, 1e-4);
                }
            } finally {
                feed.values().forEach(OnnxTensor::close);
            }
        }
    }

    @Test
    void acceptsPlaceholderIdsAsUnknownWords() throws Exception {
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(model.tokenizerFile(), TOKENIZER_OPTIONS);
             OrtSession session = env.createSession(model.modelFile().toString(), new OrtSession.SessionOptions())) {
            long[] words = tok.encode("keep the number safe").getIds();
            long[] withUnk = withSpecials(new long[] {words[0], words[1], MiniLmModelBuilder.UNK_ID, words[3]});
            float[][][] reference = run(session, List.of(withUnk));
            for (long id : new long[] {30522, 30571, 30621}) {
                long[] withPlaceholder = withUnk.clone();
                withPlaceholder[3] = id;
                float[][][] out = run(session, List.of(withPlaceholder));
                for (int t = 0; t < withUnk.length; t++) {
                    assertArrayEquals(reference[0][t], out[0][t], 1e-6f, "id " + id + " behaves like [UNK]");
                }
            }
            long[] all = new long[100];
            for (int i = 0; i < 100; i++) {
                all[i] = 30522 + i;
            }
            float[][][] out = run(session, List.of(withSpecials(all)));
            assertEquals(102, out[0].length);
            assertThrows(OrtException.class, () -> run(session, List.of(new long[] {101, 30622, 102})));
        }
    }

    /**
     * The shipped int8 graph, kept as is apart from the embedding rows and the head: smaller, close to the float
     * variant, but its logits for a sequence depend on the rest of the batch (dynamic activation quantisation).
     */
    @Test
    void quantizedVariantIsCloseButBatchDependent() throws Exception {
        MiniLmModel q = MiniLmModelBuilder.build(tmp.resolve("quantized"), MiniLmModelBuilder.Variant.QUANTIZED);
        assertTrue(q.modelBytes() < model.modelBytes() / 2, q.modelBytes() + " vs " + model.modelBytes());
        JsonNode config = JSON.readTree(q.directory().resolve("config.json").toFile());
        assertEquals("QUANTIZED", config.at("/source/variant").asText());
        double[] fp = differences(model);
        double[] int8 = differences(q);
        int agree = 0;
        double maxAbs = 0;
        for (int i = 0; i < fp.length; i++) {
            agree += (fp[i] > 0) == (int8[i] > 0) ? 1 : 0;
            maxAbs = Math.max(maxAbs, Math.abs(fp[i] - int8[i]));
        }
        System.out.printf("quantized vs float: %d bytes vs %d, %d of %d decisions agree, max |diff| %.3f%n",
                q.modelBytes(), model.modelBytes(), agree, fp.length, maxAbs);
        assertTrue(agree > fp.length * 0.8, agree + " of " + fp.length);

        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(q.tokenizerFile(), TOKENIZER_OPTIONS);
             OrtSession session = env.createSession(q.modelFile().toString(), new OrtSession.SessionOptions())) {
            long[] a = withSpecials(tok.encode(TEXTS.get(3)).getIds());
            long[] b = withSpecials(tok.encode(TEXTS.get(1)).getIds());
            float[][][] alone = run(session, List.of(a));
            float[][][] batch = run(session, List.of(a, b));
            double shift = 0;
            for (int t = 0; t < a.length; t++) {
                shift = Math.max(shift, Math.abs(alone[0][t][1] - batch[0][t][1]));
            }
            System.out.printf("quantized: batching moves a logit by up to %.4f%n", shift);
            assertTrue(shift < 1.0, "shift " + shift);
            float[][][] ph = run(session, List.of(withSpecials(new long[] {30522, 30621})));
            assertTrue(Float.isFinite(ph[0][1][0]) && Float.isFinite(ph[0][2][1]));
        }
    }

    /**
     * Over the test texts, keep decisions are mixed (30-70 % kept) and the logit difference has a standard
     * deviation between 1 and 4; recomputing the calibration with the raw projection lands near the constants.
     */
    @Test
    void headCalibrationStillHolds() throws Exception {
        MiniLmModel raw = MiniLmModelBuilder.build(tmp.resolve("raw"), MiniLmModelBuilder.Variant.FLOAT_MATMULS, 1f, 0f);
        double[] rawDiffs = differences(raw);
        double[] diffs = differences(model);
        double rawMedian = median(rawDiffs);
        double rawStd = std(rawDiffs);
        long kept = Arrays.stream(diffs).filter(d -> d > 0).count();
        System.out.printf("raw projection: median %.4f, std %.4f (constants: scale %.3f = 2/std? bias %.3f); "
                        + "head: %d of %d kept, std %.3f%n", rawMedian, rawStd, MiniLmModelBuilder.HEAD_SCALE,
                MiniLmModelBuilder.HEAD_BIAS, kept, diffs.length, std(diffs));
        assertTrue(kept > diffs.length * 0.3 && kept < diffs.length * 0.7, kept + " of " + diffs.length);
        assertTrue(std(diffs) > 1 && std(diffs) < 4, "std " + std(diffs));
        assertEquals(2 / rawStd, MiniLmModelBuilder.HEAD_SCALE, 0.15 * MiniLmModelBuilder.HEAD_SCALE);
    }

    private static double[] differences(MiniLmModel m) throws Exception {
        List<Double> d = new ArrayList<>();
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(m.tokenizerFile(), TOKENIZER_OPTIONS);
             OrtSession session = env.createSession(m.modelFile().toString(), new OrtSession.SessionOptions())) {
            for (String text : TEXTS) {
                long[] ids = withSpecials(tok.encode(text).getIds());
                float[][][] out = run(session, List.of(ids));
                for (int t = 1; t < ids.length - 1; t++) {
                    d.add((double) out[0][t][1] - out[0][t][0]);
                }
            }
        }
        return d.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double std(double[] v) {
        double mean = Arrays.stream(v).average().orElse(0);
        return Math.sqrt(Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / v.length);
    }

    private static long[] withSpecials(long[] ids) {
        long[] out = new long[ids.length + 2];
        out[0] = 101;
        System.arraycopy(ids, 0, out, 1, ids.length);
        out[out.length - 1] = 102;
        return out;
    }

    /** Runs right-padded rows (pad id 0, token types 0); returns logits [rows][maxLen][2]. */
    private static float[][][] run(OrtSession session, List<long[]> rows) throws OrtException {
        int n = rows.size();
        int len = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        long[] ids = new long[n * len];
        long[] mask = new long[n * len];
        for (int r = 0; r < n; r++) {
            long[] row = rows.get(r);
            System.arraycopy(row, 0, ids, r * len, row.length);
            Arrays.fill(mask, r * len, r * len + row.length, 1L);
        }
        long[] shape = {n, len};
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            feed.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            feed.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            feed.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[n * len]), shape));
            try (OrtSession.Result result = session.run(feed)) {
                OnnxTensor logits = (OnnxTensor) result.get("logits").orElseThrow();
                assertArrayEquals(new long[] {n, len, 2}, logits.getInfo().getShape());
                FloatBuffer fb = logits.getFloatBuffer();
                float[][][] out = new float[n][len][2];
                for (int r = 0; r < n; r++) {
                    for (int t = 0; t < len; t++) {
                        out[r][t][0] = fb.get();
                        out[r][t][1] = fb.get();
                    }
                }
                return out;
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }
}
