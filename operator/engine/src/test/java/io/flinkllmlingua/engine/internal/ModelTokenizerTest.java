package io.flinkllmlingua.engine.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flinkllmlingua.engine.EngineException;
import io.flinkllmlingua.engine.ModelFamily;
import io.flinkllmlingua.testkit.TestData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec §2 step 3 (special tokens, placeholders), §4.1 / §15 "things to confirm" (piece counts), spans. */
class ModelTokenizerTest {
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

    @Test
    void familyDetectedFromModelType() {
        assertEquals(ModelFamily.WORDPIECE, wp.family());
        assertEquals(ModelFamily.SENTENCEPIECE, sp.family());
        assertSame(FamilyRules.WORDPIECE, wp.rules());
        assertSame(FamilyRules.SENTENCEPIECE, sp.rules());
    }

    @Test
    void familyOverride() {
        try (ModelTokenizer t = ModelTokenizer.load(Fixtures.dir(Fixtures.SENTENCEPIECE), ModelFamily.WORDPIECE)) {
            assertEquals(ModelFamily.WORDPIECE, t.family());
        }
    }

    /** §4.1: whitespace-only input yields no piece in either tokenizer, so "\n" is always mapped. */
    @Test
    void newlineHasNoPiece() {
        assertEquals(0, wp.tokenize("\n").length);
        assertEquals(0, sp.tokenize("\n").length);
        assertEquals(0, sp.pieceCount("\n \n"));
        assertEquals(0, wp.pieceCount(""));
    }

    /** §4.1: "." is exactly one piece ("▁." for XLM-R), so it is not mapped. */
    @Test
    void periodIsOnePiece() {
        assertArrayEquals(new String[] {"."}, wp.tokenize("."));
        assertArrayEquals(new String[] {"\u2581."}, sp.tokenize("."));
    }

    @Test
    void multiWordPhraseHasSeveralPieces() {
        assertArrayEquals(new String[] {"The", "answer", "is"}, wp.tokenize("The answer is"));
        assertArrayEquals(new String[] {"\u2581The", "\u2581answer", "\u2581is"}, sp.tokenize("The answer is"));
    }

    /** §2 step 3: specials are the special-token map values; BERT loses [PAD] because its pad id 0 is falsy. */
    @Test
    void specialTokenSets() {
        assertEquals(Set.of("<s>", "</s>", "<unk>", "<pad>", "<mask>"), sp.specialTokens());
        assertEquals(Set.of("[CLS]", "[SEP]", "[UNK]", "[MASK]"), wp.specialTokens());
        assertFalse(wp.specialTokens().contains("[PAD]"));
    }

    /** §2 step 3: [NEW0]..[NEW99] appended after the base vocabulary (wordpiece 672+i, sentencepiece 569+i). */
    @Test
    void placeholderIds() {
        assertEquals(672, wp.placeholderBaseId());
        assertEquals(569, sp.placeholderBaseId());
        for (int i : new int[] {0, 1, 42, 99}) {
            assertEquals(672 + i, wp.idOf("[NEW" + i + "]"));
            assertEquals(569 + i, sp.idOf("[NEW" + i + "]"));
            assertEquals("[NEW" + i + "]", wp.tokenOf(672 + i));
            assertEquals("[NEW" + i + "]", sp.tokenOf(569 + i));
        }
        assertEquals(772, wp.vocabularySize());
        assertEquals(669, sp.vocabularySize());
        // [NEW100] does not exist
        assertEquals(wp.unkId(), wp.idOf("[NEW100]"));
    }

    /** Placeholders are atomic special added tokens, matched on the raw text. */
    @Test
    void placeholdersAreAtomic() {
        assertArrayEquals(new String[] {"x", "[NEW5]", "y"}, wp.tokenize("x[NEW5]y"));
        List<String> pieces = List.of(sp.tokenize("x[NEW5]y"));
        assertTrue(pieces.contains("[NEW5]"), pieces.toString());
        assertFalse(pieces.contains("["), pieces.toString());
    }

    /** [TF] convert_tokens_to_ids: unknown strings map to the unk id. */
    @Test
    void unknownStringsMapToUnk() {
        assertEquals(100, wp.unkId());
        assertEquals(3, sp.unkId());
        assertEquals(100, wp.idOf("no-such-piece"));
        assertEquals(3, sp.idOf("[CLS]"));
        assertEquals(3, sp.idOf("[SEP]"));
        assertEquals(101, wp.idOf("[CLS]"));
        assertEquals("<unk>", sp.tokenOf(3));
        assertEquals("[UNK]", wp.tokenOf(100));
    }

    /** Ids agree with tokenizer.json for ordinary pieces, specials and added tokens. */
    @Test
    void idsMatchTokenizerJson() {
        Map<String, Integer> wv = Fixtures.vocab(Fixtures.WORDPIECE);
        Map<String, Integer> sv = Fixtures.vocab(Fixtures.SENTENCEPIECE);
        for (String t : List.of("The", "answer", "##ing", ".", "[PAD]", "[MASK]", "٣")) {
            assertEquals(wv.get(t), wp.idOf(t), t);
            assertEquals(t, wp.tokenOf(wv.get(t)));
        }
        for (String t : List.of("\u2581The", "\u2581.", ".", "ve", "<s>", "</s>", "<pad>", "<mask>")) {
            assertEquals(sv.get(t), sp.idOf(t), t);
            assertEquals(t, sp.tokenOf(sv.get(t)));
        }
    }

    /** Spans are UTF-16 indices: an emoji (surrogate pair) before a word shifts the word to [3, 6). */
    @Test
    void spansAreUtf16() {
        String text = "\uD83D\uDE00 The";
        TokenizedText w = wp.tokenizeWithSpans(text);
        assertArrayEquals(new String[] {"[UNK]", "The"}, w.tokens());
        assertEquals("\uD83D\uDE00", text.substring(w.starts()[0], w.ends()[0]));
        assertEquals(3, w.starts()[1]);
        assertEquals(6, w.ends()[1]);

        TokenizedText s = sp.tokenizeWithSpans(text);
        int last = s.size() - 1;
        assertEquals("\u2581The", s.tokens()[last]);
        assertEquals("The", text.substring(s.starts()[last], s.ends()[last]));
    }

    @Test
    void spansOfPlainText() {
        String text = "The answer is";
        TokenizedText s = sp.tokenizeWithSpans(text);
        assertArrayEquals(new int[] {0, 4, 11}, s.starts());
        assertArrayEquals(new int[] {3, 10, 13}, s.ends());
        assertEquals(0, sp.tokenizeWithSpans("").size());
    }

    @Test
    void decodeUsesFamilyDecoder() {
        assertEquals("The answer is", sp.decode(List.of(sp.tokenize("The answer is"))));
        assertEquals("playing.", wp.decode(List.of("play", "##ing", ".")));
    }

    /**
     * Pieces are read from their ids where that gives the native strings (ModelTokenizer.tokensOf); on real
     * documents in 8 languages and on hostile texts every path gives exactly the native library's strings.
     */
    @Test
    void piecesAreTheNativeStringsOnEveryPath() throws IOException {
        List<String> texts = new ArrayList<>(HOSTILE);
        ObjectMapper json = new ObjectMapper();
        for (String file : List.of("docs-en.jsonl", "docs-multilingual.jsonl")) {
            for (String line : Files.readAllLines(TestData.corpus(file))) {
                texts.add(json.readTree(line).get("text").asText());
            }
        }
        for (ModelTokenizer t : List.of(wp, sp)) {
            for (String text : texts) {
                String[] expected = t.nativeTokens(text);
                assertArrayEquals(expected, t.tokenize(text), text);
                assertArrayEquals(expected, t.tokenizeWithSpans(text).tokens(), text);
                assertArrayEquals(expected, t.tokenizeAll(List.of(text)).get(0), text);
            }
            String many = String.join(" ", texts.subList(0, 40));
            assertArrayEquals(t.nativeTokens(many), t.tokenize(many, 500)); // in pieces: same as one native call
        }
    }

    /** Pieces whose string is not their id's: Unigram keeps unknown text; an lstrip token keeps its space. */
    @Test
    void piecesWhoseStringIsNotTheirIdsKeepTheNativeString() {
        String[] unknown = sp.tokenize("a \u00ab b");
        assertTrue(Arrays.asList(unknown).contains("\u00ab"), Arrays.toString(unknown));
        assertFalse(Arrays.asList(unknown).contains("<unk>"), Arrays.toString(unknown));
        String[] mask = sp.tokenize("a <mask>");
        assertEquals(" <mask>", mask[mask.length - 1], Arrays.toString(mask));
        assertEquals("[UNK]", wp.tokenize("\u00ab")[0]);
    }

    /**
     * tokenizer.json files whose ids disagree with what HF assigns when it loads them (it only warns): the pieces'
     * strings and ids must still be the native tokenizer's, which the reference's convert_tokens_to_ids returns.
     */
    @Test
    void inconsistentTokenizerJsonStillGivesTheNativePiecesAndIds() throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode wpConfig = json.readTree(Fixtures.dir(Fixtures.WORDPIECE).resolve("tokenizer_config.json").toFile());
        JsonNode spConfig = json.readTree(Fixtures.dir(Fixtures.SENTENCEPIECE).resolve("tokenizer_config.json").toFile());

        ObjectNode gap = tokenizerJson(Fixtures.WORDPIECE); // a vocabulary without id 500: HF's [NEW0] is 671
        ObjectNode wpVocab = (ObjectNode) gap.path("model").path("vocab");
        List<String> at500 = new ArrayList<>();
        wpVocab.fields().forEachRemaining(e -> {
            if (e.getValue().asInt() == 500) {
                at500.add(e.getKey());
            }
        });
        wpVocab.remove(at500);
        assertNativePiecesAndIds(gap, wpConfig, "[NEW0] [NEW5] x", "the answer [NEW99]", at500.get(0));

        ObjectNode unsorted = tokenizerJson(Fixtures.WORDPIECE); // added tokens listed out of id order
        for (int id : new int[] {673, 672}) {
            ((ArrayNode) unsorted.get("added_tokens")).addObject().put("id", id).put("content", "<x" + id + ">")
                    .put("single_word", false).put("lstrip", false).put("rstrip", false).put("normalized", false)
                    .put("special", true);
        }
        assertNativePiecesAndIds(unsorted, wpConfig, "<x672> <x673> [NEW0]");

        ObjectNode repeated = tokenizerJson(Fixtures.SENTENCEPIECE); // the last piece repeats an earlier one
        ArrayNode spVocab = (ArrayNode) repeated.path("model").path("vocab");
        String piece = spVocab.get(10).get(0).asText();
        spVocab.addArray().add(piece).add(spVocab.get(10).get(1).asDouble());
        assertNativePiecesAndIds(repeated, spConfig, piece.replace('\u2581', ' ').trim(), "[NEW0] x");

        // the configuration names another unknown token than the model's unk_id
        assertNativePiecesAndIds(tokenizerJson(Fixtures.SENTENCEPIECE),
                ((ObjectNode) spConfig.deepCopy()).put("unk_token", "<pad>"), "a \u00ab b");
    }

    private static ObjectNode tokenizerJson(String fixture) throws IOException {
        return (ObjectNode) new ObjectMapper().readTree(Fixtures.dir(fixture).resolve("tokenizer.json").toFile());
    }

    private static void assertNativePiecesAndIds(ObjectNode root, JsonNode config, String... texts) {
        Set<String> strings = new HashSet<>();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isArray()) {
            vocab.forEach(e -> strings.add(e.get(0).asText()));
        } else {
            vocab.fieldNames().forEachRemaining(strings::add);
        }
        Set<String> added = new HashSet<>();
        root.path("added_tokens").forEach(e -> added.add(e.path("content").asText()));
        for (int i = 0; i < ModelTokenizer.PLACEHOLDER_COUNT; i++) {
            added.add(ForceTokenMap.placeholder(i));
        }
        strings.addAll(added);
        try (ModelTokenizer t = ModelTokenizer.fromJson(root.deepCopy(), config, new ObjectMapper().createObjectNode(),
                null, "test")) {
            for (String text : texts) {
                String[] pieces = t.tokenize(text);
                assertArrayEquals(t.nativeTokens(text), pieces, text);
                long[] ids = t.nativeIds(text);
                for (int i = 0; i < pieces.length; i++) {
                    // a piece that is no vocabulary string (unknown Unigram text) maps to unk, as in the reference
                    if (strings.contains(pieces[i])) {
                        assertEquals(ids[i], t.idOf(pieces[i]), text + ": " + pieces[i]);
                    }
                    if (added.contains(pieces[i])) { // an id shared with a model piece converts to the added token
                        assertEquals(pieces[i], t.tokenOf((int) ids[i]), text + ": " + ids[i]);
                    }
                }
            }
        }
    }

    private static final List<String> HOSTILE = List.of(
            "a <mask> b", "x<mask>y", "  <mask>", "[UNK] [MASK]x [CLS][SEP]", "[NEW0] and [NEW99][NEW7]x",
            "\uD83D\uDE00 emoji \u2603 \u2177 \uFB01 \u00ab\u00bb", "a\u0000b\u200bc\u00ad d", "\u0130stanbul \u01C5 \u00DF",
            "a".repeat(150) + " " + "\u00e9".repeat(120), "\u4e2d\u6587\u5b57 \u65e5\u672c\u8a9e", "\t\n \r\n", "\uD800 lone");

    @Test
    void missingTokenizerJsonIsAClearError(@TempDir Path dir) {
        EngineException e = assertThrows(EngineException.class, () -> ModelTokenizer.load(dir, null));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void unreadableTokenizerJsonIsAClearError(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), "{not json");
        EngineException e = assertThrows(EngineException.class, () -> ModelTokenizer.load(dir, null));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    }
}
