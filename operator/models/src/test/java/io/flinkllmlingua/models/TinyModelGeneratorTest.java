package io.flinkllmlingua.models;

import io.flinkllmlingua.testkit.TestData;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TinyModelGeneratorTest {
    private static final Map<String, String> TOKENIZER_OPTIONS =
            Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static final Map<GeneratedFamily, GeneratedModel> MODELS = new EnumMap<>(GeneratedFamily.class);
    private static OrtEnvironment env;

    @BeforeAll
    static void generate() throws IOException {
        for (GeneratedFamily f : GeneratedFamily.values()) {
            GeneratedModel m = TinyModelGenerator.generateTiny(tmp.resolve(f.name()), f);
            System.out.printf("%s: base vocab %d, %d parameters, model.onnx %d bytes, tokenizer.json %d bytes, %d ms%n",
                    f, m.baseVocabSize(), m.parameterCount(), m.modelBytes(), Files.size(m.tokenizerFile()), m.millis());
            MODELS.put(f, m);
        }
        env = OrtEnvironment.getEnvironment();
    }

    @AfterAll
    static void cleanup() {
        MODELS.clear();
    }

    private static HuggingFaceTokenizer tokenizer(GeneratedModel m) throws IOException {
        return HuggingFaceTokenizer.newInstance(m.tokenizerFile(), TOKENIZER_OPTIONS);
    }

    private static long unkId(GeneratedFamily f) {
        return f == GeneratedFamily.WORDPIECE ? 100 : 3;
    }

    @ParameterizedTest
    @EnumSource(GeneratedFamily.class)
    void tokenizesEnglishIntoWholeWords(GeneratedFamily f) throws IOException {
        try (HuggingFaceTokenizer tok = tokenizer(MODELS.get(f))) {
            String[] tokens = tok.encode("The compression model keeps the most important words of a document.")
                    .getTokens();
            // "keeps" is not in the word list: "keep" + suffix.
            List<String> expected = f == GeneratedFamily.WORDPIECE
                    ? List.of("The", "compression", "model", "keep", "##s", "the", "most", "important", "words", "of",
                    "a", "document", ".")
                    : List.of("▁The", "▁compression", "▁model", "▁keep", "s", "▁the", "▁most",
                    "▁important", "▁words", "▁of", "▁a", "▁document", ".");
            assertEquals(expected, List.of(tokens));
        }
    }

    @ParameterizedTest
    @EnumSource(GeneratedFamily.class)
    void tokenizesChineseJapaneseKoreanAndAccentsWithoutUnknowns(GeneratedFamily f) throws IOException {
        try (HuggingFaceTokenizer tok = tokenizer(MODELS.get(f))) {
            String chinese = "压缩模型保留了文档中最重要的词。你好吗？";
            Encoding zh = tok.encode(chinese);
            assertNoUnknown(f, chinese, zh);
            // One piece per ideograph (plus the word-start marker for Unigram).
            long ideographs = chinese.codePoints().filter(c -> c >= 0x4E00 && c <= 0x9FFF).count();
            assertTrue(zh.getIds().length >= ideographs && zh.getIds().length <= ideographs + 4,
                    Arrays.toString(zh.getTokens()));

            String accents = "Le café naïve à Zürich: Straße, résumé, señor, Łódź, Ελλάδα, Москва.";
            Encoding acc = tok.encode(accents);
            assertNoUnknown(f, accents, acc);
            String decoded = tok.decode(acc.getIds(), true);
            if (f == GeneratedFamily.SENTENCEPIECE) {
                assertEquals(accents, decoded);
            } else { // the WordPiece decoder leaves a space before ':'
                assertEquals(accents.replace(" ", ""), decoded.replace(" ", ""));
            }

            for (String text : List.of("パイプと FIFO の概要を説明します。", "이 파일은 시스템 설정을 읽고 없는 값은 기본값을 사용합니다.",
                    "【注意】（全角）：「引用」、『書名』…")) {
                assertNoUnknown(f, text, tok.encode(text));
            }
            // An emoji is outside the vocabulary.
            assertTrue(Arrays.stream(tok.encode("ok \uD83D\uDE00").getIds()).anyMatch(id -> id == unkId(f)));
        }
    }

    private static void assertNoUnknown(GeneratedFamily f, String text, Encoding e) {
        assertTrue(Arrays.stream(e.getIds()).noneMatch(id -> id == unkId(f)),
                text + " -> " + Arrays.toString(e.getTokens()));
    }

    @ParameterizedTest
    @EnumSource(GeneratedFamily.class)
    void tokenizerAndConfigDescribeTheModel(GeneratedFamily f) throws IOException {
        GeneratedModel m = MODELS.get(f);
        JsonNode tj = JSON.readTree(m.tokenizerFile().toFile());
        JsonNode config = JSON.readTree(m.directory().resolve("config.json").toFile());
        JsonNode tc = JSON.readTree(m.directory().resolve("tokenizer_config.json").toFile());
        assertEquals(m.baseVocabSize() + 100, config.get("vocab_size").asInt());
        assertEquals(m.embeddingRows(), config.get("vocab_size").asInt());
        assertEquals(2, config.get("num_labels").asInt());
        assertEquals(512, config.get("max_position_embeddings").asInt());
        assertEquals(64, config.get("hidden_size").asInt());
        assertEquals(2, config.get("num_hidden_layers").asInt());
        assertEquals(4, config.get("num_attention_heads").asInt());
        assertEquals(128, config.get("intermediate_size").asInt());
        assertEquals(f.name(), config.at("/generator/family").asText());
        assertEquals(ModelSpec.DEFAULT_SEED, config.at("/generator/seed").asLong());
        assertTrue(config.get("note").asText().contains("meaningless"));
        assertEquals(m.parameterCount(), m.spec().parameterCount(m.baseVocabSize()));
        String text = tj.toString();
        assertFalse(text.contains("[NEW0]"), "placeholders are added by the engine, not the generator");
        if (f == GeneratedFamily.WORDPIECE) {
            assertEquals("BertForTokenClassification", config.at("/architectures/0").asText());
            assertEquals(0, config.get("pad_token_id").asInt());
            assertEquals(2, config.get("type_vocab_size").asInt());
            assertEquals("BertTokenizer", tc.get("tokenizer_class").asText());
            JsonNode vocab = tj.at("/model/vocab");
            assertEquals(0, vocab.get("[PAD]").asInt());
            assertEquals(100, vocab.get("[UNK]").asInt());
            assertEquals(101, vocab.get("[CLS]").asInt());
            assertEquals(102, vocab.get("[SEP]").asInt());
            assertEquals(103, vocab.get("[MASK]").asInt());
            assertEquals(m.baseVocabSize(), vocab.size());
        } else {
            assertEquals("XLMRobertaForTokenClassification", config.at("/architectures/0").asText());
            assertEquals(1, config.get("pad_token_id").asInt());
            assertEquals(1, config.get("type_vocab_size").asInt());
            assertEquals("XLMRobertaTokenizer", tc.get("tokenizer_class").asText());
            JsonNode vocab = tj.at("/model/vocab");
            assertEquals(m.baseVocabSize(), vocab.size());
            String[] specials = {"<s>", "<pad>", "</s>", "<unk>"};
            for (int i = 0; i < specials.length; i++) {
                assertEquals(specials[i], vocab.get(i).get(0).asText());
            }
            assertEquals("<mask>", vocab.get(vocab.size() - 1).get(0).asText());
            assertEquals(3, tj.at("/model/unk_id").asInt());
        }
    }

    @ParameterizedTest
    @EnumSource(GeneratedFamily.class)
    void runsAPaddedBatch(GeneratedFamily f) throws Exception {
        GeneratedModel m = MODELS.get(f);
        try (HuggingFaceTokenizer tok = tokenizer(m);
             OrtSession session = env.createSession(m.modelFile().toString(), new OrtSession.SessionOptions())) {
            Set<String> expectedInputs = f == GeneratedFamily.WORDPIECE
                    ? Set.of("input_ids", "attention_mask", "token_type_ids") : Set.of("input_ids", "attention_mask");
            assertEquals(expectedInputs, session.getInputNames());
            assertEquals(Set.of("logits"), session.getOutputNames());
            for (NodeInfo info : session.getInputInfo().values()) {
                assertArrayEquals(new long[] {-1, -1}, ((TensorInfo) info.getInfo()).getShape());
            }

            long[] a = withSpecials(f, tok.encode("Open the configuration file and read the value.").getIds());
            long[] b = withSpecials(f, tok.encode("压缩模型保留了文档中最重要的词，并删除其他的词。Please check the log files "
                    + "before you restart the server.").getIds());
            assertTrue(b.length > a.length + 5);
            float[][][] batch = run(session, f, List.of(a, b));
            int s = b.length;
            assertEquals(2, batch.length);
            assertEquals(s, batch[0].length);
            assertEquals(2, batch[0][0].length);

            List<Float> all = new ArrayList<>();
            int keep = 0;
            int real = 0;
            for (int r = 0; r < 2; r++) {
                int len = r == 0 ? a.length : b.length;
                for (int t = 0; t < len; t++) {
                    for (float v : batch[r][t]) {
                        assertTrue(Float.isFinite(v));
                        assertTrue(Math.abs(v) < 12, "logit " + v);
                        all.add(v);
                    }
                    real++;
                    if (batch[r][t][1] > batch[r][t][0]) {
                        keep++;
                    }
                }
            }
            assertTrue(all.stream().distinct().count() > all.size() / 2, "logits should differ between tokens");
            // Probabilities spread over (0, 1): both decisions occur.
            assertTrue(keep > real / 10 && keep < real * 9 / 10, "keep " + keep + " of " + real);

            // Padding does not change the real positions: each sequence alone equals its row of the batch.
            for (int r = 0; r < 2; r++) {
                long[] ids = r == 0 ? a : b;
                float[][][] alone = run(session, f, List.of(ids));
                for (int t = 0; t < ids.length; t++) {
                    for (int c = 0; c < 2; c++) {
                        assertEquals(alone[0][t][c], batch[r][t][c], 1e-5, "row " + r + " position " + t);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(GeneratedFamily.class)
    void acceptsThePlaceholderIds(GeneratedFamily f) throws Exception {
        GeneratedModel m = MODELS.get(f);
        int base = m.baseVocabSize();
        long[] ids = new long[100];
        for (int i = 0; i < 100; i++) {
            ids[i] = base + i;
        }
        try (OrtSession session = env.createSession(m.modelFile().toString(), new OrtSession.SessionOptions())) {
            float[][][] out = run(session, f, List.of(withSpecials(f, ids)));
            assertEquals(102, out[0].length);
            for (float[] pos : out[0]) {
                assertTrue(Float.isFinite(pos[0]) && Float.isFinite(pos[1]));
            }
            // One past the last placeholder is out of range.
            assertThrows(OrtException.class, () -> run(session, f, List.of(new long[] {base + 100})));
        }
    }

    @Test
    void sameSeedGivesIdenticalFilesAndAnotherSeedDifferentWeights() throws IOException {
        GeneratedModel first = MODELS.get(GeneratedFamily.WORDPIECE);
        GeneratedModel again = TinyModelGenerator.generate(tmp.resolve("again"), ModelSpec.tiny(GeneratedFamily.WORDPIECE));
        assertEquals(-1, Files.mismatch(first.modelFile(), again.modelFile()));
        assertEquals(-1, Files.mismatch(first.tokenizerFile(), again.tokenizerFile()));
        assertEquals(-1, Files.mismatch(first.directory().resolve("config.json"), again.directory().resolve("config.json")));

        GeneratedModel other = TinyModelGenerator.generate(tmp.resolve("other"),
                ModelSpec.tiny(GeneratedFamily.WORDPIECE).withSeed(7));
        assertNotEquals(-1, Files.mismatch(first.modelFile(), other.modelFile()));
        assertEquals(-1, Files.mismatch(first.tokenizerFile(), other.tokenizerFile()));

        GeneratedModel xlmr = TinyModelGenerator.generate(tmp.resolve("again-sp"), ModelSpec.tiny(GeneratedFamily.SENTENCEPIECE));
        assertEquals(-1, Files.mismatch(MODELS.get(GeneratedFamily.SENTENCEPIECE).modelFile(), xlmr.modelFile()));
        System.out.printf("regeneration: WORDPIECE %d ms, SENTENCEPIECE %d ms%n", again.millis(), xlmr.millis());
        assertTrue(again.millis() < 3000 && xlmr.millis() < 3000, "tiny generation should take well under a second");
    }

    @Test
    void externalWeightsGiveTheSameLogits() throws Exception {
        GeneratedFamily f = GeneratedFamily.SENTENCEPIECE;
        GeneratedModel embedded = MODELS.get(f);
        assertNull(embedded.externalDataFile());
        GeneratedModel external = TinyModelGenerator.generate(tmp.resolve("external"),
                ModelSpec.tiny(f).withWeightStorage(ModelSpec.WeightStorage.EXTERNAL));
        assertEquals(external.directory().resolve(TinyModelGenerator.EXTERNAL_DATA_FILE), external.externalDataFile());
        assertTrue(external.externalBytes() >= 4L * (external.embeddingRows() * 64L));
        assertEquals(external.externalBytes(), Files.size(external.externalDataFile()));
        assertTrue(external.modelBytes() < 64 * 1024, "graph only: " + external.modelBytes());
        long[] ids = {0, 5, 6, 7, 8, 2};
        try (OrtSession s1 = env.createSession(embedded.modelFile().toString(), new OrtSession.SessionOptions());
             OrtSession s2 = env.createSession(external.modelFile().toString(), new OrtSession.SessionOptions())) {
            float[][][] x = run(s1, f, List.of(ids));
            float[][][] y = run(s2, f, List.of(ids));
            for (int t = 0; t < ids.length; t++) {
                assertArrayEquals(x[0][t], y[0][t], 1e-6f);
            }
        }
    }

    @Test
    void paddedVocabularyReproducesOfficialIdLayout() throws Exception {
        GeneratedFamily f = GeneratedFamily.SENTENCEPIECE;
        int natural = MODELS.get(f).baseVocabSize();
        int target = natural + 1234;
        GeneratedModel m = TinyModelGenerator.generate(tmp.resolve("padded"), ModelSpec.tiny(f).withVocabSize(target));
        assertEquals(target, m.baseVocabSize());
        assertEquals(target + 100, m.embeddingRows());
        JsonNode vocab = JSON.readTree(m.tokenizerFile().toFile()).at("/model/vocab");
        assertEquals(target, vocab.size());
        assertEquals("<mask>", vocab.get(target - 1).get(0).asText());
        try (HuggingFaceTokenizer tok = tokenizer(m);
             OrtSession session = env.createSession(m.modelFile().toString(), new OrtSession.SessionOptions())) {
            long[] ids = tok.encode("Read the manual page.").getIds();
            assertTrue(Arrays.stream(ids).allMatch(id -> id < natural), "filler pieces never match text");
            float[][][] out = run(session, f, List.of(withSpecials(f, new long[] {ids[0], target, target + 99})));
            assertEquals(5, out[0].length);
        }
        assertThrows(IllegalArgumentException.class,
                () -> TinyModelGenerator.generate(tmp.resolve("too-small"), ModelSpec.tiny(f).withVocabSize(1000)));
    }

    @Test
    void rejectsInvalidShapes() {
        ModelSpec tiny = ModelSpec.tiny(GeneratedFamily.WORDPIECE);
        assertThrows(IllegalArgumentException.class, () -> tiny.withShape(2, 65, 4, 128));
        assertThrows(IllegalArgumentException.class, () -> tiny.withShape(-1, 64, 4, 128));
        assertThrows(IllegalArgumentException.class, () -> tiny.withShape(2, 64, 4, 0));
        assertEquals(12, ModelSpec.officialShape(GeneratedFamily.WORDPIECE).layers());
        assertEquals(250002, ModelSpec.officialShape(GeneratedFamily.SENTENCEPIECE).vocabSize());
    }

    /** Unknown-piece rate over the documentation corpora of src/test-data. */
    @ParameterizedTest
    @EnumSource(GeneratedFamily.class)
    void coversTheSampleCorpora(GeneratedFamily f) throws IOException {
        Path dir = TestData.corpora();
        Map<String, long[]> perLang = new HashMap<>();
        try (HuggingFaceTokenizer tok = tokenizer(MODELS.get(f))) {
            for (String file : List.of("docs-en.jsonl", "docs-multilingual.jsonl")) {
                try (BufferedReader r = Files.newBufferedReader(dir.resolve(file), StandardCharsets.UTF_8)) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        JsonNode rec = JSON.readTree(line);
                        long[] ids = tok.encode(rec.get("text").asText()).getIds();
                        long[] c = perLang.computeIfAbsent(rec.at("/metadata/lang").asText(), k -> new long[2]);
                        c[0] += ids.length;
                        c[1] += Arrays.stream(ids).filter(id -> id == unkId(f)).count();
                    }
                }
            }
        }
        perLang.forEach((lang, c) -> System.out.printf("%s %s: %d tokens, %d unknown (%.3f%%)%n",
                f, lang, c[0], c[1], 100.0 * c[1] / c[0]));
        perLang.forEach((lang, c) -> assertTrue(c[1] < c[0] / 100, lang + ": " + c[1] + " unknown of " + c[0]));
    }

    private static long[] withSpecials(GeneratedFamily f, long[] ids) {
        long cls = f == GeneratedFamily.WORDPIECE ? 101 : 0;
        long sep = f == GeneratedFamily.WORDPIECE ? 102 : 2;
        long[] out = new long[ids.length + 2];
        out[0] = cls;
        System.arraycopy(ids, 0, out, 1, ids.length);
        out[out.length - 1] = sep;
        return out;
    }

    /** Runs right-padded rows; returns logits [rows][maxLen][2]. */
    static float[][][] run(OrtSession session, GeneratedFamily f, List<long[]> rows) throws OrtException {
        int n = rows.size();
        int len = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        long pad = f == GeneratedFamily.WORDPIECE ? 0 : 1;
        long[] ids = new long[n * len];
        long[] mask = new long[n * len];
        Arrays.fill(ids, pad);
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
            if (f == GeneratedFamily.WORDPIECE) {
                feed.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[n * len]), shape));
            }
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
