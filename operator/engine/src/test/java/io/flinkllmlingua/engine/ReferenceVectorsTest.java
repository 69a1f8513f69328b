package io.flinkllmlingua.engine;

import io.flinkllmlingua.testkit.TestData;
import com.fasterxml.jackson.databind.JsonNode;
import io.flinkllmlingua.engine.internal.CompressionTrace;
import io.flinkllmlingua.engine.internal.ModelInput;
import io.flinkllmlingua.engine.internal.ModelTokenizer;
import io.flinkllmlingua.engine.internal.ProbabilityOverride;
import io.flinkllmlingua.engine.internal.TokenScorer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 29 reference cases on both tiny models (src/test-data/reference-vectors).
 *
 * <p>{@link #replaysRecordedProbabilities}: everything but the forward pass is the engine's own (tokenizer,
 * force map, chunking, decoding, re-tokenization, word merging, cl100k counting, percentiles, keep rules,
 * drop-consecutive, context stage, rendering, statistics, labels); the word probabilities and context scores the
 * reference computed are fed in at the point where the model's output would be aggregated, which checks all of that
 * independently of the forward pass. {@link #matchesReferenceEndToEnd} runs the real model: both tiny
 * models' {@code model.onnx} are part of the test data, and a missing one fails the test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferenceVectorsTest {
    private final Map<String, ModelTokenizer> tokenizers = new HashMap<>();

    static Stream<ReferenceCase> cases() {
        return Stream.concat(ReferenceCase.load("wordpiece-tiny").stream(),
                ReferenceCase.load("sentencepiece-tiny").stream());
    }

    /** The cases where the reference produces output (the others are rejections). */
    static Stream<ReferenceCase> compressibleCases() {
        return cases().filter(c -> !c.expectsError());
    }

    @BeforeAll
    void loadTokenizers() {
        for (String m : List.of("wordpiece-tiny", "sentencepiece-tiny")) {
            tokenizers.put(m, ModelTokenizer.load(TestData.referenceVectors().resolve(m), null));
        }
    }

    @AfterAll
    void close() {
        tokenizers.values().forEach(ModelTokenizer::close);
    }

    /** Feeds the reference's recorded word probabilities (pre drop-consecutive) and context scores. */
    private static final class RecordedProbabilities implements ProbabilityOverride {
        private final JsonNode debug;
        private final Set<String> forceTokens;
        private final boolean dropConsecutive;

        RecordedProbabilities(JsonNode debug, CompressionOptions o) {
            this.debug = debug;
            this.forceTokens = new HashSet<>(o.forceTokens());
            this.dropConsecutive = o.dropConsecutive();
        }

        @Override
        public double[] wordProbabilities(int chunkSequence, List<String> words, double[] computed) {
            JsonNode recorded = debug.get("chunks").get(chunkSequence).get("words");
            assertEquals(recorded.size(), words.size(), "number of words in chunk " + chunkSequence);
            double[] p = new double[words.size()];
            for (int i = 0; i < p.length; i++) {
                double v = recorded.get(i).get(1).asDouble();
                // The record holds probabilities after drop-consecutive zeroing; a zeroed force-token word was
                // forced to 1.0 before.
                if (dropConsecutive && v == 0.0 && forceTokens.contains(words.get(i))) {
                    v = 1.0;
                }
                p[i] = v;
            }
            return p;
        }

        @Override
        public double[] contextScores(double[] computed) {
            JsonNode s = debug.get("context_stage").get("scores");
            assertEquals(s.size(), computed.length);
            double[] out = new double[s.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = s.get(i).asDouble();
            }
            return out;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void replaysRecordedProbabilities(ReferenceCase c) {
        EngineConfig config = EngineConfig.builder(c.modelDir()).build();
        PromptCompressor engine = PromptCompressor.withScorer(config, tokenizers.get(c.model()), new ConstantScorer(0.5f));
        if (c.expectsError()) {
            assertRejectedOrDefined(c, () -> engine.compress(c.contexts(), c.options()));
            return;
        }
        CompressionOptions options = c.options();
        CompressionTrace trace = new CompressionTrace();
        JsonNode debug = c.expected().get("debug");
        CompressionResult r = engine.compress(c.contexts(), options, trace, new RecordedProbabilities(debug, options));
        assertTrace(c, debug, trace);
        assertResult(c, r);
    }

    /**
     * ORIGINAL_SPANS rendering: the same keep decisions as the reference rendering, and the output is a
     * subsequence of the input that holds every kept word in order.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("compressibleCases")
    void originalSpansKeepsDecisionsAndCutsFromTheInput(ReferenceCase c) {
        EngineConfig config = EngineConfig.builder(c.modelDir()).build();
        PromptCompressor engine = PromptCompressor.withScorer(config, tokenizers.get(c.model()), new ConstantScorer(0.5f));
        CompressionOptions reference = c.options();
        CompressionOptions spans = reference.toBuilder().renderMode(RenderMode.ORIGINAL_SPANS).build();
        JsonNode debug = c.expected().get("debug");
        CompressionResult a = engine.compress(c.contexts(), reference, null, new RecordedProbabilities(debug, reference));
        CompressionResult b = engine.compress(c.contexts(), spans, null, new RecordedProbabilities(debug, spans));
        assertEquals(a.wordLabels(), b.wordLabels(), c + " keep decisions");
        assertEquals(a.originTokens(), b.originTokens());
        List<Integer> keptContexts = new ArrayList<>();
        for (int ci = 0; ci < c.contexts().size(); ci++) {
            boolean dropped = debug.has("context_stage") && !debug.get("context_stage").get("kept").get(ci).asBoolean();
            if (!dropped) {
                keptContexts.add(ci);
            }
        }
        assertEquals(keptContexts.size(), b.compressedPromptList().size());
        for (int k = 0; k < keptContexts.size(); k++) {
            String input = c.contexts().get(keptContexts.get(k));
            String out = b.compressedPromptList().get(k);
            assertTrue(isSubsequence(out, input), c + " output is not a subsequence of the input: " + out);
            // Kept words in order: each word's characters appear, in order, in the output (compared without
            // whitespace and the special-token strings the merger skips, in NFKC form). Characters only: a word
            // can straddle a skipped piece, e.g. "[CLS] <s> [NEW5]" or an unknown character, which spans keep.
            String nfkc = java.text.Normalizer.normalize(squeeze(out, c.model()), java.text.Normalizer.Form.NFKC);
            int from = 0;
            for (WordLabel w : b.wordLabels().get(keptContexts.get(k))) {
                if (!w.kept() || debug.path("no_model_path").asBoolean(false)) {
                    continue;
                }
                String word = java.text.Normalizer.normalize(w.word().replaceAll("\\s+", ""),
                        java.text.Normalizer.Form.NFKC);
                for (int i = 0; i < word.length(); i++) {
                    int at = nfkc.indexOf(word.charAt(i), from);
                    assertTrue(at >= 0, c + " kept word '" + word + "' missing in: " + out);
                    from = at + 1;
                }
            }
        }
    }

    private static String squeeze(String s, String model) {
        String t = s.replaceAll("\\s+", "");
        List<String> specials = model.startsWith("sentencepiece")
                ? List.of("<s>", "</s>", "<unk>", "<pad>", "<mask>") : List.of("[CLS]", "[SEP]", "[UNK]", "[MASK]");
        for (String sp : specials) {
            t = t.replace(sp, "");
        }
        return t;
    }

    static boolean isSubsequence(String sub, String text) {
        int j = 0;
        for (int i = 0; i < sub.length(); i++) {
            char ch = sub.charAt(i);
            while (j < text.length() && text.charAt(j) != ch) {
                j++;
            }
            if (j == text.length()) {
                return false;
            }
            j++;
        }
        return true;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesReferenceEndToEnd(ReferenceCase c) {
        assertTrue(Files.isRegularFile(c.modelDir().resolve("model.onnx")),
                "no model.onnx in " + c.modelDir() + ": the test data is incomplete");
        EngineConfig config = EngineConfig.builder(c.modelDir()).executionProvider(ExecutionProvider.CPU)
                .padToMaxLength(true).build();
        try (PromptCompressor engine = PromptCompressor.open(config)) {
            if (c.expectsError()) {
                assertRejectedOrDefined(c, () -> engine.compress(c.contexts(), c.options()));
                return;
            }
            CompressionTrace trace = new CompressionTrace();
            CompressionResult r = engine.compress(c.contexts(), c.options(), trace);
            assertTrace(c, c.expected().get("debug"), trace);
            assertResult(c, r);
        }
    }

    /**
     * Where the reference raises on bad parameters the engine refuses the request; where it crashes on data
     * (division by zero for an empty input with a token target) the engine returns a defined empty result.
     */
    private static void assertRejectedOrDefined(ReferenceCase c, java.util.function.Supplier<CompressionResult> run) {
        String error = c.expected().get("error").asText();
        if (error.startsWith("ZeroDivisionError")) {
            CompressionResult r = run.get();
            assertEquals("", r.compressedPrompt());
            assertEquals(0, r.originTokens());
            assertEquals(0, r.compressedTokens());
            assertEquals("1.0x", r.ratioText());
            return;
        }
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> {
            run.get();
        });
        String expectedMessage = error.substring(error.indexOf(':') + 2);
        if (error.startsWith("ValueError: Percentiles")) {
            assertTrue(e.getMessage().contains("rate must be > 0"), e.getMessage());
        } else {
            assertTrue(e.getMessage().startsWith(expectedMessage), "'" + e.getMessage() + "' should start with '"
                    + expectedMessage + "'");
        }
    }

    private static void assertTrace(ReferenceCase c, JsonNode debug, CompressionTrace trace) {
        Map<String, String> expectedMap = new LinkedHashMap<>();
        debug.get("token_map").fields().forEachRemaining(e -> expectedMap.put(e.getKey(), e.getValue().asText()));
        assertEquals(expectedMap, new LinkedHashMap<>(trace.tokenMap), c + " token_map");
        assertEquals(new HashSet<>(ReferenceCase.strings(debug.get("chunk_end_tokens"))),
                new HashSet<>(trace.chunkEndTokens), c + " chunk_end_tokens");
        JsonNode spans = debug.get("chunk_token_spans");
        assertEquals(spans.size(), trace.chunkTokenSpans.size());
        for (int ci = 0; ci < spans.size(); ci++) {
            assertEquals(spans.get(ci).size(), trace.chunkTokenSpans.get(ci).size(), c + " chunks of context " + ci);
            for (int k = 0; k < spans.get(ci).size(); k++) {
                int[] got = trace.chunkTokenSpans.get(ci).get(k);
                assertEquals(spans.get(ci).get(k).get(0).asInt(), got[0], c + " chunk start");
                assertEquals(spans.get(ci).get(k).get(1).asInt(), got[1], c + " chunk end");
            }
        }
        if (debug.has("context_stage")) {
            JsonNode cs = debug.get("context_stage");
            assertNotNull(trace.contextStage, c + " context stage ran");
            assertEquals(cs.get("context_level_rate").asDouble(), trace.contextStage.contextLevelRate, c + " context rate");
            assertEquals(cs.get("q").asInt(), trace.contextStage.percentileIndex, c + " context q");
            assertEquals(cs.get("threshold").asDouble(), trace.contextStage.threshold, 1e-12, c + " context threshold");
            boolean[] kept = new boolean[cs.get("kept").size()];
            for (int i = 0; i < kept.length; i++) {
                kept[i] = cs.get("kept").get(i).asBoolean();
            }
            assertArrayEquals(kept, trace.contextStage.kept, c + " contexts kept");
            assertEquals(cs.get("n_reserved_token").asInt(), trace.contextStage.reservedTokens, c + " reserved tokens");
            assertEquals(cs.get("token_rate").asDouble(), trace.tokenRate, c + " token rate");
            assertEquals(cs.get("reduce_rate").asDouble(), trace.reduceRate, c + " reduce rate");
        } else {
            assertEquals(debug.get("token_rate").asDouble(), trace.tokenRate, c + " token rate");
            assertEquals(debug.get("reduce_rate").asDouble(), trace.reduceRate, c + " reduce rate");
        }
        assertEquals(debug.path("no_model_path").asBoolean(false), trace.noModelPath, c + " no-model path");
        JsonNode chunks = debug.path("chunks");
        assertEquals(chunks.size(), trace.chunks.size(), c + " compressed chunks");
        for (int k = 0; k < chunks.size(); k++) {
            JsonNode e = chunks.get(k);
            CompressionTrace.Chunk t = trace.chunks.get(k);
            String where = c + " chunk " + k;
            assertEquals(e.get("context").asInt(), t.context, where + " context");
            assertEquals(e.get("chunk").asInt(), t.chunk, where + " index");
            assertEquals(e.get("text").asText(), t.text, where + " text");
            assertEquals(e.get("n_pieces").asInt(), t.pieces, where + " pieces");
            assertEquals(e.get("n_words").asInt(), t.words.size(), where + " words");
            assertEquals(e.get("n_weighted").asInt(), t.weighted, where + " weighted");
            assertEquals(e.get("q").asInt(), t.percentileIndex, where + " q");
            // numpy 1.x may compute one interpolation step in float32 (fixture README); labels are exact below.
            assertEquals(e.get("threshold").asDouble(), t.threshold, 1e-7, where + " threshold");
            if (e.has("dc_q")) {
                assertEquals(e.get("dc_q").asInt(), t.dropConsecutiveIndex, where + " dc q");
                assertEquals(e.get("dc_threshold").asDouble(), t.dropConsecutiveThreshold, 1e-7, where + " dc threshold");
            } else {
                assertEquals(-1, t.dropConsecutiveIndex, where + " no drop-consecutive");
            }
            JsonNode words = e.get("words");
            for (int i = 0; i < words.size(); i++) {
                JsonNode w = words.get(i);
                assertEquals(w.get(0).asText(), t.words.get(i), where + " word " + i);
                assertEquals(w.get(1).asDouble(), t.probabilities.get(i), where + " probability of word " + i);
                assertEquals(w.get(2).asInt() == 1, t.labels.get(i), where + " label of word " + i + " '" + t.words.get(i) + "'");
                assertEquals(w.get(3).asInt(), t.counts.get(i), where + " cl100k count of word " + i);
            }
        }
    }

    private static void assertResult(ReferenceCase c, CompressionResult r) {
        JsonNode e = c.expected();
        assertEquals(e.get("compressed_prompt").asText(), r.compressedPrompt(), c + " compressed_prompt");
        assertEquals(ReferenceCase.strings(e.get("compressed_prompt_list")), r.compressedPromptList(), c + " list");
        assertEquals(e.get("origin_tokens").asInt(), r.originTokens(), c + " origin_tokens");
        assertEquals(e.get("compressed_tokens").asInt(), r.compressedTokens(), c + " compressed_tokens");
        assertEquals(e.get("ratio").asText(), r.ratioText(), c + " ratio");
        assertEquals(e.get("rate").asText(), r.rateText(), c + " rate");
        assertEquals(e.get("saving").asText(), r.savingText(), c + " saving");
        JsonNode labels = e.get("word_labels");
        assertEquals(labels.size(), r.wordLabels().size(), c + " label contexts");
        for (int ci = 0; ci < labels.size(); ci++) {
            JsonNode ctx = labels.get(ci);
            List<WordLabel> got = r.wordLabels().get(ci);
            assertEquals(ctx.size(), got.size(), c + " labels of context " + ci);
            for (int i = 0; i < ctx.size(); i++) {
                assertEquals(ctx.get(i).get(0).asText(), got.get(i).word(), c + " label word " + i);
                assertEquals(ctx.get(i).get(1).asInt() == 1, got.get(i).kept(), c + " label " + i);
            }
        }
        assertEquals(e.get("fn_labeled_original_prompt").asText(), r.labeledOriginalPrompt(), c + " fn_labeled");
        assertFalse(r.compressedPrompt() == null);
    }
}
