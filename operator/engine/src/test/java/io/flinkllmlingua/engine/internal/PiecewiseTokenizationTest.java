package io.flinkllmlingua.engine.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.engine.TokenSpans;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A long text tokenized in pieces (in parallel) gives exactly the tokens and spans of the whole text tokenized in
 * one call, on hostile inputs and with pieces far smaller than in production, so that cuts fall everywhere a cut
 * is allowed; and the direct span path gives DJL's Encoding spans.
 */
class PiecewiseTokenizationTest {
    /** Larger than any test text: the one-call path. */
    private static final int WHOLE = 1 << 28;
    private static final int[] PIECE_SIZES = {1, 2, 3, 5, 8, 13, 40, 200};
    /** Fragments that meet at cuts: long words, CJK without spaces, newline runs, surrogates, specials. */
    private static final String[] FRAGMENTS = {
        "word", "Hello", "x", "1234567", " ", " ", " ", "\n", "\n\n", "\n\n\n\n", "\r\n", "\t", "  ", "   \n  ",
        "\u00a0", "\u3000", "supercalifragilisticexpialidocious".repeat(6), "https://example.com/a/b?c=d&e=f",
        "中文没有空格的句子", "日本語のテキスト", "한국어", "😀", "👍🏽", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "e\u0301", "\u0301", "ﬁ", "Ⅻ", "①",
        "[NEW0]", "[NEW1]", "[NEW99]", "[UNK]", "[MASK]", "[SEP]", "<mask>", "<s>", "</s>", "<unk>", ".", "?", "!",
        ",", "'s", "n't", "do not", "-", "...", "\u0000", "\ufffd", "\u200b", "\u200d", "ß", "İ", "ǅ", "١٢٣",
        "مرحبا", "שלום", "ไทย", "देवनागरी", "a.b", "3.14",
    };

    private static ModelTokenizer wp;
    private static ModelTokenizer sp;

    @BeforeAll
    static void load() {
        wp = Fixtures.tokenizer(Fixtures.WORDPIECE);
        sp = Fixtures.tokenizer(Fixtures.SENTENCEPIECE);
    }

    @AfterAll
    static void close() {
        wp.close();
        sp.close();
    }

    private static List<String> hostileTexts() {
        List<String> out = new ArrayList<>();
        Random r = new Random(20261202L);
        for (int i = 0; i < 150; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + r.nextInt(120);
            for (int k = 0; k < n; k++) {
                sb.append(FRAGMENTS[r.nextInt(FRAGMENTS.length)]);
            }
            out.add(sb.toString());
        }
        out.add("a".repeat(5000));
        out.add("a ".repeat(3000));
        out.add("中".repeat(3000));
        out.add("中 ".repeat(2000));
        out.add("\n".repeat(3000) + "end");
        out.add("word\n".repeat(2000));
        out.add("😀 ".repeat(2000));
        out.add("x [NEW0] ".repeat(1000) + "y[NEW1]z [NEW2]");
        out.add("foo <mask> bar  <mask>   baz\n<mask>".repeat(300));
        out.add("foo \u00a0<mask> bar\u202f <mask> baz \u001f<mask>".repeat(300));
        out.add("lead   \n\n  trailing   ");
        out.add("  starts with spaces and ends with a word");
        return out;
    }

    @Test
    void tokensOfPiecesAreTheTokensOfTheWholeText() {
        for (ModelTokenizer t : List.of(wp, sp)) {
            for (String text : hostileTexts()) {
                String[] whole = t.tokenize(text, WHOLE);
                for (int size : PIECE_SIZES) {
                    assertArrayEquals(whole, t.tokenize(text, size),
                            () -> t.family() + ", pieces of " + size + ": " + text);
                }
            }
        }
    }

    @Test
    void spansOfPiecesAreTheSpansOfTheWholeText() {
        for (ModelTokenizer t : List.of(wp, sp)) {
            for (String text : hostileTexts()) {
                TokenizedText whole = t.tokenizeWithSpans(text, WHOLE);
                assertArrayEquals(t.tokenize(text, WHOLE), whole.tokens());
                for (int size : PIECE_SIZES) {
                    TokenizedText cut = t.tokenizeWithSpans(text, size);
                    String where = t.family() + ", pieces of " + size + ": " + text;
                    assertArrayEquals(whole.tokens(), cut.tokens(), where);
                    assertArrayEquals(whole.starts(), cut.starts(), where);
                    assertArrayEquals(whole.ends(), cut.ends(), where);
                }
            }
        }
    }

    /** The direct JNI span path gives what DJL's Encoding gave (the engine's path before). */
    @Test
    void directSpansMatchDjlEncoding() throws IOException {
        for (String name : List.of(Fixtures.WORDPIECE, Fixtures.SENTENCEPIECE)) {
            ModelTokenizer t = name.equals(Fixtures.WORDPIECE) ? wp : sp;
            try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(
                    Fixtures.dir(name).resolve("tokenizer.json"), Map.of("addSpecialTokens", "false",
                            "truncation", "false", "padding", "false",
                            "modelMaxLength", String.valueOf(Integer.MAX_VALUE)))) {
                for (String text : hostileTexts()) {
                    if (text.contains("[NEW")) {
                        continue; // the placeholders exist only in the engine's tokenizer
                    }
                    Encoding enc = hf.encode(text, false, false);
                    TokenSpans expected = TokenSpans.of(text, enc.getCharTokenSpans(), enc.getTokens().length);
                    TokenizedText actual = t.tokenizeWithSpans(text);
                    assertArrayEquals(enc.getTokens(), actual.tokens(), text);
                    assertArrayEquals(expected.starts(), actual.starts(), text);
                    assertArrayEquals(expected.ends(), actual.ends(), text);
                }
            }
        }
    }

    @Test
    void cutsFallOnlyAtTheStartOfAWhitespaceRunAfterALetterOrDigit() {
        TokenizerPieces rule = TokenizerPieces.of(json("{\"pre_tokenizer\":{\"type\":\"WhitespaceSplit\"},"
                + "\"added_tokens\":[{\"content\":\"<mask>\",\"lstrip\":true,\"normalized\":false}]}"));
        // 2: after "ab"; not 12 (after an emoji's low surrogate); 15: after a CJK letter; not after "]" or a
        // no-break space; not before a run that <mask> follows; 48: after "l".
        String text = "ab  cd\n\nef😀 g中 h [NEW0] i\u00a0 j  <mask> k <mask> l m";
        assertEquals(List.of(2, 6, 15, 17, 48), rule.cuts(text, 1));
        for (String t : hostileTexts()) {
            int prev = 0;
            for (int c : rule.cuts(t, 3)) {
                assertTrue(c > prev && rule.cutAllowed(t, c), t);
                prev = c;
            }
        }
        // The whitespace run before <mask> is Unicode's (what lstrip strips), no-break spaces included.
        assertEquals(List.of(), rule.cuts("ab \u00a0<mask> cd", 1).stream().filter(c -> c == 2).toList());
        assertEquals(List.of(), rule.cuts("ab \u202f\u3000<mask> cd", 1).stream().filter(c -> c == 2).toList());
        assertTrue(rule.cutAllowed("ab \u001f<mask> cd", 2), "U+001F is not White_Space: lstrip stops there");
        assertTrue(rule.cuts("word ".repeat(10), 100).isEmpty(), "a short text stays whole");
        assertTrue(rule.cuts("中".repeat(1000), 10).isEmpty(), "no whitespace, no cut");
    }

    private static JsonNode json(String s) {
        try {
            return new ObjectMapper().readTree(s);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void onlyWordLocalTokenizersAreCut() throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (String name : List.of(Fixtures.WORDPIECE, Fixtures.SENTENCEPIECE)) {
            assertNotNull(TokenizerPieces.of(json.readTree(Fixtures.dir(name).resolve("tokenizer.json").toFile())));
        }
        String bert = "{\"normalizer\":{\"type\":\"BertNormalizer\"},\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},"
                + "\"added_tokens\":[{\"content\":\"[CLS]\"}]}";
        assertNotNull(TokenizerPieces.of(json.readTree(bert)));
        for (String unsafe : new String[] {
            "{\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"ByteLevel\"}}",
            "{\"normalizer\":{\"type\":\"Precompiled\"},\"pre_tokenizer\":{\"type\":\"Metaspace\"}}",
            "{\"normalizer\":{\"type\":\"Strip\"},\"pre_tokenizer\":{\"type\":\"WhitespaceSplit\"}}",
            "{\"normalizer\":{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"\\\\s+\"},\"content\":\"\"},"
                    + "\"pre_tokenizer\":{\"type\":\"WhitespaceSplit\"}}",
            "{\"normalizer\":null,\"pre_tokenizer\":null}",
            "{\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"WhitespaceSplit\"},"
                    + "{\"type\":\"Metaspace\",\"prepend_scheme\":\"first\"}]}}",
            "{\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},\"added_tokens\":[{\"content\":\"<eot>\",\"rstrip\":true}]}",
            "{\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},\"added_tokens\":[{\"content\":\"new line\"}]}",
            "{\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},\"added_tokens\":[{\"content\":\"<m>\",\"lstrip\":true}]}",
        }) {
            JsonNode root = json.readTree(unsafe);
            assertNull(TokenizerPieces.of(root), unsafe);
        }
    }
}
