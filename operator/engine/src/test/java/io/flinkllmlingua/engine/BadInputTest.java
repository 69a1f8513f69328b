package io.flinkllmlingua.engine;

import io.flinkllmlingua.testkit.TestData;
import io.flinkllmlingua.engine.internal.ModelTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets a clear exception or a defined result, never a crash or a hang. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
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

    private PromptCompressor engine(ModelTokenizer t, ConstantScorer scorer) {
        return PromptCompressor.withScorer(EngineConfig.builder(Path.of("unused")).build(), t, scorer);
    }

    @Test
    void emptyAndWhitespaceTextGiveAnEmptyResultWithoutCallingTheModel() {
        for (ModelTokenizer t : List.of(wordpiece, sentencepiece)) {
            ConstantScorer scorer = new ConstantScorer(0.7f);
            PromptCompressor e = engine(t, scorer);
            for (String text : List.of("", "   ", "\n\n\t ")) {
                CompressionResult r = e.compress(text, CompressionOptions.referenceBuilder().rate(0.5).build());
                assertEquals("", r.compressedPrompt(), t.family() + " '" + text + "'");
                assertEquals(0, r.compressedTokens());
                assertEquals("1.0x", r.ratioText());
                assertEquals(0, r.chunks());
            }
            // The model is asked for nothing when no chunk exists (an empty batch never reaches ONNX Runtime).
            assertEquals(0, scorer.sequences.get());
        }
    }

    @Test
    void invalidParametersAreRefusedWithAClearMessage() {
        InvalidRequestException e = assertThrows(InvalidOptionsException.class,
                () -> CompressionOptions.referenceBuilder().rate(-0.5).build());
        assertTrue(e.getMessage().startsWith("rate must be >= 0 and <= 1"), e.getMessage());
        assertThrows(InvalidOptionsException.class, () -> CompressionOptions.referenceBuilder().rate(1.5).build());
        assertThrows(InvalidOptionsException.class, () -> CompressionOptions.referenceBuilder().rate(Double.NaN).build());
        assertThrows(InvalidOptionsException.class, () -> CompressionOptions.referenceBuilder().targetToken(Double.POSITIVE_INFINITY).build());
        assertThrows(InvalidOptionsException.class, () -> CompressionOptions.referenceBuilder().contextLevelRate(Double.NaN).build());
        assertThrows(InvalidRequestException.class, () -> CompressionOptions.referenceBuilder().forceTokens(List.of("")).build());
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            many.add("t" + i);
        }
        e = assertThrows(InvalidRequestException.class, () -> CompressionOptions.referenceBuilder().forceTokens(many).build());
        assertTrue(e.getMessage().startsWith("more than 100 force tokens"), e.getMessage());
        // rate 0 is fine when a token target decides the rate
        assertEquals(10.0, CompressionOptions.referenceBuilder().rate(0).targetToken(10).build().targetToken());
    }

    @Test
    void contextPathWithTargetZeroIsRefused() {
        PromptCompressor e = engine(sentencepiece, new ConstantScorer(0.6f));
        CompressionOptions o = CompressionOptions.referenceBuilder().useContextLevelFilter(true).targetToken(0).build();
        InvalidRequestException ex = assertThrows(InvalidRequestException.class,
                () -> e.compress(List.of("first context here.", "second context there."), o));
        assertTrue(ex.getMessage().contains("nothing to keep"), ex.getMessage());
    }

    @Test
    void nullOrMissingContextsAreRefused() {
        PromptCompressor e = engine(wordpiece, new ConstantScorer(0.6f));
        assertThrows(InvalidRequestException.class, () -> e.compress(List.of(), CompressionOptions.defaults()));
        List<String> withNull = new ArrayList<>();
        withNull.add(null);
        assertThrows(InvalidRequestException.class, () -> e.compress(withNull, CompressionOptions.defaults()));
    }

    @Test
    void loneSurrogatesAreRefused() {
        PromptCompressor e = engine(sentencepiece, new ConstantScorer(0.6f));
        InvalidRequestException ex = assertThrows(InvalidRequestException.class,
                () -> e.compress("abc \uD83D def", CompressionOptions.defaults()));
        assertTrue(ex.getMessage().contains("lone UTF-16 surrogate at index 4"), ex.getMessage());
        assertThrows(InvalidRequestException.class, () -> e.compress("\uDE00x", CompressionOptions.defaults()));
        // a proper pair is fine
        e.compress("smile \uD83D\uDE00 please", CompressionOptions.defaults());
    }

    @Test
    void specialTokenStringsFollowThePolicy() {
        PromptCompressor e = engine(wordpiece, new ConstantScorer(0.6f));
        String text = "hello <|endoftext|> world and more words here";
        InvalidRequestException ex = assertThrows(InvalidRequestException.class,
                () -> e.compress(text, CompressionOptions.defaults()));
        assertTrue(ex.getMessage().startsWith("The text contains a special token that is not allowed: <|endoftext|>"));
        CompressionResult r = e.compress(text,
                CompressionOptions.referenceBuilder().specialTokenPolicy(SpecialTokenPolicy.COUNT_AS_TEXT).build());
        assertTrue(r.originTokens() > 0);
        // Model special-token strings in the text ([CLS], <s>) are tokenised as specials and dropped, as in the
        // reference; the text still compresses.
        CompressionResult s = e.compress("before [CLS] [SEP] <s> after", CompressionOptions.referenceBuilder().rate(0.99).build());
        assertTrue(!s.compressedPrompt().contains("[CLS]"), s.compressedPrompt());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void tenMegabytesOfTextCompressInBoundedTime() {
        ConstantScorer scorer = new ConstantScorer(0.5f);
        PromptCompressor e = engine(wordpiece, scorer);
        StringBuilder sb = new StringBuilder(10_500_000);
        String para = "The budget is tight, so we should push the review to next month. ";
        while (sb.length() < 10_000_000) {
            sb.append(para);
        }
        CompressionResult r = e.compress(sb.toString(), CompressionOptions.referenceBuilder().rate(0.5)
                .specialTokenPolicy(SpecialTokenPolicy.COUNT_AS_TEXT).build());
        assertTrue(r.chunks() > 1000, "chunks " + r.chunks());
        assertEquals(r.chunks(), scorer.sequences.get());
        assertTrue(r.originTokens() > 2_000_000);
        // constant probabilities: every word ties with the threshold and the strict rule keeps nothing
        assertEquals("", r.compressedPrompt());
    }

    @Test
    void missingOrCorruptModelFilesGiveClearErrors(@TempDir Path dir) throws Exception {
        EngineException missingTokenizer = assertThrows(EngineException.class,
                () -> PromptCompressor.open(EngineConfig.builder(dir).build()));
        assertTrue(missingTokenizer.getMessage().contains("No tokenizer.json"), missingTokenizer.getMessage());

        Path fixture = TestData.referenceVectors().resolve("wordpiece-tiny");
        for (String f : List.of("tokenizer.json", "tokenizer_config.json", "config.json")) {
            Files.copy(fixture.resolve(f), dir.resolve(f));
        }
        EngineException missingModel = assertThrows(EngineException.class,
                () -> PromptCompressor.open(EngineConfig.builder(dir).executionProvider(ExecutionProvider.CPU).build()));
        assertTrue(missingModel.getMessage().contains("No model.onnx"), missingModel.getMessage());

        Files.write(dir.resolve("model.onnx"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        EngineException corrupt = assertThrows(EngineException.class,
                () -> PromptCompressor.open(EngineConfig.builder(dir).executionProvider(ExecutionProvider.CPU).build()));
        assertTrue(corrupt.getMessage().startsWith("Cannot load model"), corrupt.getMessage());

        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordPiece\"");
        EngineException badTokenizer = assertThrows(EngineException.class,
                () -> PromptCompressor.open(EngineConfig.builder(dir).build()));
        assertTrue(badTokenizer.getMessage().contains("tokenizer.json"), badTokenizer.getMessage());
    }
}
