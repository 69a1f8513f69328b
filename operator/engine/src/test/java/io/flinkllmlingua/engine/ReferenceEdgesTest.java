package io.flinkllmlingua.engine;

import io.flinkllmlingua.engine.internal.CompressionTrace;
import io.flinkllmlingua.engine.internal.ModelInput;
import io.flinkllmlingua.engine.internal.ModelTokenizer;
import io.flinkllmlingua.engine.internal.TokenScorer;
import io.flinkllmlingua.testkit.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edges where the reference (spec §13) runs or raises, each either reproduced or given the defined result that
 * the README's "Where the engine deliberately differs from the reference" lists.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferenceEdgesTest {
    private ModelTokenizer wordpiece;
    private ModelTokenizer sentencepiece;

    @BeforeAll
    void load() {
        wordpiece = ModelTokenizer.load(TestData.referenceVectors().resolve("wordpiece-tiny"), null);
        sentencepiece = ModelTokenizer.load(TestData.referenceVectors().resolve("sentencepiece-tiny"), null);
    }

    @AfterAll
    void close() {
        wordpiece.close();
        sentencepiece.close();
    }

    private static PromptCompressor engine(ModelTokenizer t, TokenScorer scorer) {
        return PromptCompressor.withScorer(EngineConfig.builder(Path.of("unused")).build(), t, scorer);
    }

    /** Scores every position of the i-th sequence of a call with {@code values[i]}. */
    private static TokenScorer perSequence(float... values) {
        return new TokenScorer() {
            @Override
            public List<float[]> score(List<ModelInput> inputs) {
                List<float[]> out = new ArrayList<>();
                for (int i = 0; i < inputs.size(); i++) {
                    float[] p = new float[inputs.get(i).length()];
                    Arrays.fill(p, values[i]);
                    out.add(p);
                }
                return out;
            }

            @Override
            public void close() {}
        };
    }

    // ---- 1. a window of special / unknown pieces only ----

    /**
     * 50 "Go." then 600 "[UNK]" pieces: three chunks, the last two all special, so they have no words. The
     * reference's percentile of their empty word list raises; here they keep nothing and add nothing, so the result
     * is the one of the text without them.
     */
    @Test
    void allSpecialWindowsKeepNothing() {
        String words = "Go. ".repeat(50);
        String text = words + "[UNK] ".repeat(600);
        for (RenderMode mode : RenderMode.values()) {
            CompressionOptions o = CompressionOptions.referenceBuilder().forceTokens(List.of(".")).renderMode(mode)
                    .returnWordLabel(true).rate(0.5).build();
            ConstantScorer scorer = new ConstantScorer(0.7f);
            CompressionTrace trace = new CompressionTrace();
            CompressionResult r = engine(wordpiece, scorer).compress(List.of(text), o, trace);
            CompressionResult alone = engine(wordpiece, new ConstantScorer(0.7f)).compress(words, o);
            assertEquals(3, r.chunks(), mode.name());
            assertEquals(3, scorer.sequences.get(), "every chunk is scored, as in the reference");
            assertEquals(0, trace.chunks.get(1).words.size(), "the second window has no words");
            assertEquals(0, trace.chunks.get(2).words.size(), "the third window has no words");
            assertFalse(r.compressedPrompt().isEmpty(), "the forced '.' of the first chunk survive");
            assertEquals(alone.compressedPrompt(), r.compressedPrompt(), mode.name());
            assertEquals(alone.wordLabels(), r.wordLabels(), mode.name());
            assertEquals(alone.compressedTokens(), r.compressedTokens());
        }
    }

    /** A text of special pieces only, with and without drop_consecutive: an empty result, not an error. */
    @Test
    void onlySpecialPiecesGiveAnEmptyResult() {
        for (ModelTokenizer t : List.of(wordpiece, sentencepiece)) {
            String text = t == wordpiece ? "[UNK] [CLS] [SEP]" : "<unk> <s> </s>";
            for (boolean dropConsecutive : new boolean[] {false, true}) {
                CompressionResult r = engine(t, new ConstantScorer(0.6f)).compress(text,
                        CompressionOptions.referenceBuilder().dropConsecutive(dropConsecutive).rate(0.5).build());
                assertEquals("", r.compressedPrompt(), t.family() + " " + dropConsecutive);
                assertEquals(0, r.compressedTokens());
                assertEquals(1, r.chunks());
            }
        }
    }

    /** Where the reference runs on such a window (rate 1: no model, its chunk text is returned), so does the engine. */
    @Test
    void allSpecialWindowWithoutTheTokenStageIsTheChunkText() {
        ConstantScorer scorer = new ConstantScorer(0.6f);
        CompressionResult r = engine(wordpiece, scorer).compress("[UNK] [SEP]",
                CompressionOptions.referenceBuilder().rate(1.0).build());
        assertEquals(wordpiece.decode(List.of("[UNK]", "[SEP]")), r.compressedPrompt());
        assertTrue(r.compressedPrompt().contains("[UNK]"), r.compressedPrompt());
        assertEquals(0, scorer.calls.get(), "the no-model path");
    }

    // ---- 2. context_level_rate outside [0, 1] ----

    private static final List<String> TWO = List.of("low scored context words here.", "high scored context words there.");

    private CompressionResult contexts(CompressionOptions.Builder b) {
        return engine(sentencepiece, perSequence(0.3f, 0.8f)).compress(TWO, b.build());
    }

    /**
     * Above 1 with nothing deriving another rate (rate 1, no targets): the reference's percentile index is
     * {@code trunc(100 * (1 - r))}: 0 for 1 &lt; r &lt; 1.01 (it runs: every context kept), negative from 1.01 (numpy
     * raises). The engine keeps every context for all of them.
     */
    @Test
    void contextLevelRateAboveOneKeepsEveryContext() {
        CompressionResult atOne = contexts(CompressionOptions.compressPromptDefaults().rate(1.0).contextLevelRate(1.0));
        assertEquals(2, atOne.compressedPromptList().size());
        for (double clr : new double[] {1.005, 1.01, 1.5, 40}) {
            CompressionResult r = contexts(CompressionOptions.compressPromptDefaults().rate(1.0).contextLevelRate(clr));
            assertEquals(atOne.compressedPromptList(), r.compressedPromptList(), "context_level_rate " + clr);
        }
    }

    /** Above 1 counts as unset when the rate is below 1: the reference derives (rate + 1) / 2, so does the engine. */
    @Test
    void contextLevelRateAboveOneIsUnsetWithARate() {
        CompressionOptions.Builder derived = CompressionOptions.compressPromptDefaults().rate(0.5);
        CompressionTrace a = new CompressionTrace();
        CompressionTrace b = new CompressionTrace();
        CompressionResult one = engine(sentencepiece, perSequence(0.3f, 0.8f)).compress(TWO,
                derived.contextLevelRate(1.0).build(), a);
        CompressionResult big = engine(sentencepiece, perSequence(0.3f, 0.8f)).compress(TWO,
                derived.contextLevelRate(3.0).build(), b);
        assertEquals(0.75, b.contextStage.contextLevelRate);
        assertEquals(a.contextStage.percentileIndex, b.contextStage.percentileIndex);
        assertEquals(one.compressedPrompt(), big.compressedPrompt());
    }

    /**
     * Below 0: the reference's index is 100 for -0.01 &lt; r &lt; 0 (it runs: only the best-scored context is kept)
     * and above 100 from -0.01 (numpy raises). The engine keeps the best-scored context for all of them.
     */
    @Test
    void contextLevelRateBelowZeroKeepsTheBestContext() {
        CompressionResult atZero = contexts(CompressionOptions.compressPromptDefaults().rate(1.0).contextLevelRate(0.0));
        assertEquals(List.of("high scored context words there."), atZero.compressedPromptList());
        for (double clr : new double[] {-0.005, -0.01, -0.5, -7}) {
            CompressionTrace trace = new CompressionTrace();
            CompressionResult r = engine(sentencepiece, perSequence(0.3f, 0.8f)).compress(TWO,
                    CompressionOptions.compressPromptDefaults().rate(1.0).contextLevelRate(clr).build(), trace);
            assertEquals(atZero.compressedPromptList(), r.compressedPromptList(), "context_level_rate " + clr);
            assertEquals(100, trace.contextStage.percentileIndex);
        }
        // a target_context overrides it, as in the reference
        CompressionResult overridden = contexts(CompressionOptions.compressPromptDefaults().rate(1.0)
                .contextLevelRate(-3).targetContext(2));
        assertEquals(2, overridden.compressedPromptList().size());
    }

    /** Without the context stage (one context, or the filter off) the value is never read: any finite one runs. */
    @Test
    void contextLevelRateIsUnusedWithoutTheContextStage() {
        CompressionOptions plain = CompressionOptions.referenceBuilder().rate(0.5).build();
        CompressionResult expected = engine(sentencepiece, new ConstantScorer(0.6f)).compress("one context only.", plain);
        for (double clr : new double[] {-2, 5}) {
            CompressionResult r = engine(sentencepiece, new ConstantScorer(0.6f)).compress("one context only.",
                    plain.toBuilder().contextLevelRate(clr).build());
            assertEquals(expected.compressedPrompt(), r.compressedPrompt());
            CompressionResult off = engine(sentencepiece, perSequence(0.3f, 0.8f)).compress(TWO,
                    CompressionOptions.referenceBuilder().rate(1.0).contextLevelRate(clr).build());
            assertEquals(2, off.compressedPromptList().size());
        }
    }

    // ---- 3. rate 0 ----

    /** The reference runs with rate 0 on an input without tokens (no chunk reaches the percentile): empty result. */
    @Test
    void rateZeroOnAnEmptyTextIsTheReferencesEmptyResult() {
        CompressionOptions zero = CompressionOptions.referenceBuilder().rate(0).build();
        for (ModelTokenizer t : List.of(wordpiece, sentencepiece)) {
            for (String text : List.of("", "   ", "\n\t ")) {
                ConstantScorer scorer = new ConstantScorer(0.6f);
                CompressionResult r = engine(t, scorer).compress(text, zero);
                assertEquals("", r.compressedPrompt(), t.family() + " '" + text + "'");
                assertEquals(List.of(""), r.compressedPromptList());
                assertEquals(0, r.compressedTokens());
                assertEquals("1.0x", r.ratioText());
                assertEquals("100.0%", r.rateText());
                assertEquals(", Saving $0.0 in GPT-4.", r.savingText());
                assertEquals(0, r.chunks());
                assertEquals(0, scorer.sequences.get());
            }
            CompressionResult two = engine(t, new ConstantScorer(0.6f)).compress(List.of("", " "), zero);
            assertEquals(List.of("", ""), two.compressedPromptList());
            assertEquals("\n\n", two.compressedPrompt());
        }
    }

    /** On a text with tokens the reference raises (percentile 101): refused as options that cannot apply. */
    @Test
    void rateZeroOnATextIsRefused() {
        InvalidOptionsException e = assertThrows(InvalidOptionsException.class,
                () -> engine(wordpiece, new ConstantScorer(0.6f)).compress("some words here.",
                        CompressionOptions.referenceBuilder().rate(0).build()));
        assertTrue(e.getMessage().startsWith("rate must be > 0 for an input that has tokens"), e.getMessage());
        // the token filter off: the no-model path, where the reference runs too
        CompressionResult off = engine(wordpiece, new ConstantScorer(0.6f)).compress("some words here.",
                CompressionOptions.referenceBuilder().rate(0).useTokenLevelFilter(false).build());
        assertEquals(wordpiece.decode(Arrays.asList(wordpiece.tokenize("some words here."))), off.compressedPrompt());
    }

    /** The product's refusals are options errors, the class the operator reports as InvalidOptions. */
    @Test
    void builderRefusalsAreOptionsErrors() {
        assertThrows(InvalidOptionsException.class, () -> CompressionOptions.builder().rate(-0.1).build());
        assertThrows(InvalidOptionsException.class, () -> CompressionOptions.builder().rate(1.01).build());
        assertThrows(InvalidOptionsException.class,
                () -> CompressionOptions.builder().contextLevelRate(Double.POSITIVE_INFINITY).build());
        assertThrows(InvalidOptionsException.class, () -> CompressionOptions.builder().forceTokens(List.of("")).build());
        assertEquals(-4.0, CompressionOptions.builder().contextLevelRate(-4).build().contextLevelRate());
        assertEquals(0.0, CompressionOptions.builder().rate(0).build().rate());
    }
}
