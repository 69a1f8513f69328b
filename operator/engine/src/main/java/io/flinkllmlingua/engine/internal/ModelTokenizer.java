package io.flinkllmlingua.engine.internal;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.engine.EngineException;
import io.flinkllmlingua.engine.ModelFamily;
import io.flinkllmlingua.engine.TokenSpans;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * The model's HF fast tokenizer (Rust {@code tokenizers} through DJL), extended as the reference extends it: the
 * 100 placeholders {@code [NEW0]..[NEW99]} are added as special tokens with ids {@code base + i}. String/id
 * conversion follows {@code convert_tokens_to_ids} (unknown strings map to the unk id) and
 * {@code convert_ids_to_tokens}. Thread-safe.
 */
public final class ModelTokenizer implements AutoCloseable {
    public static final int PLACEHOLDER_COUNT = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final FamilyRules rules;
    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    /**
     * Ids whose pieces always carry {@code idToToken[id]} as their string, so the hot path can fetch ids (one array
     * across JNI) instead of one Java string per piece. Not: the unknown id (a Unigram tokenizer keeps the unknown
     * text as the piece's string), added tokens that strip whitespace or match normalised text (the piece is the
     * matched text, e.g. " <mask>"), and ids that several strings map to.
     */
    private final BitSet verbatimIds;
    private final int unkId;
    private final int placeholderBase;
    private final Set<String> specialTokens;
    private final java.util.concurrent.ConcurrentHashMap<String, Integer> pieceCounts = new java.util.concurrent.ConcurrentHashMap<>();
    /** Where long texts may be cut to be tokenized in pieces; null: always in one call. */
    private final TokenizerPieces piecewise;

    private ModelTokenizer(HuggingFaceTokenizer tokenizer, FamilyRules rules, Map<String, Integer> vocab,
                           String[] idToToken, BitSet verbatimIds, int unkId, int placeholderBase,
                           Set<String> specialTokens, TokenizerPieces piecewise) {
        this.piecewise = piecewise;
        this.verbatimIds = verbatimIds;
        this.tokenizer = tokenizer;
        this.rules = rules;
        this.vocab = vocab;
        this.idToToken = idToToken;
        this.unkId = unkId;
        this.placeholderBase = placeholderBase;
        this.specialTokens = specialTokens;
    }

    /**
     * Loads {@code tokenizer.json} (required), {@code tokenizer_config.json} and {@code config.json} (optional)
     * from a model directory.
     *
     * @param familyOverride the family to use, or null to detect it from the tokenizer's model type
     */
    public static ModelTokenizer load(Path modelDir, ModelFamily familyOverride) {
        Path tokenizerFile = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new EngineException("No tokenizer.json in model directory " + modelDir);
        }
        ObjectNode root;
        try {
            JsonNode node = JSON.readTree(tokenizerFile.toFile());
            if (!(node instanceof ObjectNode)) {
                throw new EngineException("tokenizer.json is not a JSON object: " + tokenizerFile);
            }
            root = (ObjectNode) node;
        } catch (IOException e) {
            throw new EngineException("Cannot read " + tokenizerFile + ": " + e.getMessage(), e);
        }
        JsonNode tokenizerConfig = readOptionalJson(modelDir.resolve("tokenizer_config.json"));
        JsonNode modelConfig = readOptionalJson(modelDir.resolve("config.json"));
        return fromJson(root, tokenizerConfig, modelConfig, familyOverride, tokenizerFile.toString());
    }

    private static JsonNode readOptionalJson(Path file) {
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new EngineException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static ModelTokenizer fromJson(ObjectNode root, JsonNode tokenizerConfig, JsonNode modelConfig,
                                   ModelFamily familyOverride, String origin) {
        JsonNode model = root.path("model");
        ModelFamily family = familyOverride;
        if (family == null) {
            try {
                family = ModelFamily.fromTokenizerModelType(model.path("type").asText(null));
            } catch (IllegalArgumentException e) {
                throw new EngineException(e.getMessage() + " (" + origin + ")", e);
            }
        }

        Map<String, Integer> vocab = new HashMap<>();
        JsonNode v = model.get("vocab");
        if (v == null) {
            throw new EngineException("tokenizer.json has no model.vocab: " + origin);
        }
        if (v.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                vocab.put(e.getKey(), e.getValue().asInt());
            }
        } else if (v.isArray()) {
            for (int i = 0; i < v.size(); i++) {
                vocab.put(v.get(i).get(0).asText(), i); // a repeated piece has its last index, as in HF's Unigram
            }
        } else {
            throw new EngineException("Unexpected model.vocab shape in " + origin);
        }
        ArrayNode added = root.has("added_tokens") && root.get("added_tokens").isArray()
                ? (ArrayNode) root.get("added_tokens") : root.putArray("added_tokens");
        for (JsonNode t : added) {
            vocab.put(t.path("content").asText(), t.path("id").asInt());
        }
        int maxId = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        int base = maxId + 1;
        for (int i = 0; i < PLACEHOLDER_COUNT; i++) {
            String content = ForceTokenMap.placeholder(i);
            if (vocab.containsKey(content)) {
                continue; // a tokenizer that already carries the placeholders
            }
            ObjectNode t = added.addObject();
            t.put("id", base + i);
            t.put("content", content);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
            vocab.put(content, base + i);
        }

        boolean wordPiece = family == ModelFamily.WORDPIECE;
        String unk = specialName(tokenizerConfig, "unk_token", wordPiece ? "[UNK]" : "<unk>");
        String cls = specialName(tokenizerConfig, "cls_token", wordPiece ? "[CLS]" : "<s>");
        String sep = specialName(tokenizerConfig, "sep_token", wordPiece ? "[SEP]" : "</s>");
        String pad = specialName(tokenizerConfig, "pad_token", wordPiece ? "[PAD]" : "<pad>");
        String mask = specialName(tokenizerConfig, "mask_token", wordPiece ? "[MASK]" : "<mask>");
        String bos = specialName(tokenizerConfig, "bos_token", wordPiece ? null : "<s>");
        String eos = specialName(tokenizerConfig, "eos_token", wordPiece ? null : "</s>");
        Set<String> specials = new LinkedHashSet<>();
        for (String s : new String[] {bos, eos, unk, sep, cls, mask}) {
            if (s != null) {
                specials.add(s);
            }
        }
        // The reference resets pad_token_id to config.pad_token_id if truthy, else to the eos id; for BERT
        // (pad id 0, no eos) that removes [PAD] from the special-token map.
        int padId = modelConfig.path("pad_token_id").asInt(wordPiece ? 0 : 1);
        if (padId != 0) {
            specials.add(pad);
        }
        HuggingFaceTokenizer tokenizer;
        try {
            byte[] bytes = JSON.writeValueAsBytes(root);
            Map<String, String> options = Map.of(
                    "addSpecialTokens", "false",
                    "truncation", "false",
                    "padding", "false",
                    "modelMaxLength", String.valueOf(Integer.MAX_VALUE));
            tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(bytes), options);
        } catch (IOException | RuntimeException e) {
            throw new EngineException("Cannot load tokenizer " + origin + ": " + e.getMessage(), e);
        }
        try {
            Set<Integer> notVerbatim = adoptNativeAddedIds(tokenizer, added, vocab);
            Integer unkId = vocab.get(unk);
            if (unkId == null) {
                throw new EngineException("Unknown-token '" + unk + "' is not in the vocabulary of " + origin);
            }
            notVerbatim.add(unkId);
            // The model's own unknown piece, whatever tokenizer_config.json calls the unknown token.
            if (model.path("unk_id").canConvertToInt()) {
                notVerbatim.add(model.path("unk_id").asInt());
            }
            Integer modelUnk = vocab.get(model.path("unk_token").asText(unk));
            if (modelUnk != null) {
                notVerbatim.add(modelUnk);
            }
            int size = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
            String[] idToToken = new String[size];
            vocab.forEach((tok, id) -> {
                if (idToToken[id] == null || vocab.get(idToToken[id]).intValue() != id) {
                    idToToken[id] = tok;
                }
            });
            // An id that is both a model piece's and an added token's converts to the added token, as in HF.
            for (JsonNode t : added) {
                String content = t.path("content").asText();
                idToToken[vocab.get(content)] = content;
            }
            return new ModelTokenizer(tokenizer, FamilyRules.of(family), Collections.unmodifiableMap(vocab), idToToken,
                    verbatimIds(vocab, idToToken, notVerbatim), unkId, vocab.get(ForceTokenMap.placeholder(0)),
                    Collections.unmodifiableSet(specials), TokenizerPieces.of(root));
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /**
     * Gives every added token (the placeholders included) the id the native tokenizer gives it, which is what the
     * reference's {@code convert_tokens_to_ids} returns: HF assigns added tokens ids of its own when loading and only
     * warns where tokenizer.json says otherwise (a vocabulary with a gap, added tokens listed out of id order).
     * Returns the ids whose pieces may not carry their id's string: those of added tokens that strip whitespace or
     * match normalised text (the piece is the matched text, e.g. " <mask>"), and of any whose content does not
     * encode to itself alone (it keeps tokenizer.json's id).
     */
    private static Set<Integer> adoptNativeAddedIds(HuggingFaceTokenizer tokenizer, ArrayNode added,
                                                    Map<String, Integer> vocab) {
        Set<Integer> notVerbatim = new HashSet<>();
        String[] contents = new String[added.size()];
        for (int i = 0; i < contents.length; i++) {
            contents[i] = added.get(i).path("content").asText();
        }
        long[] encodings = TokenizersLibrary.LIB.batchEncode(tokenizer.getHandle(), contents, false);
        try {
            for (int i = 0; i < contents.length; i++) {
                JsonNode t = added.get(i);
                long[] ids = TokenizersLibrary.LIB.getTokenIds(encodings[i]);
                if (ids.length == 1 && contents[i].equals(TokenizersLibrary.LIB.getTokens(encodings[i])[0])) {
                    vocab.put(contents[i], (int) ids[0]);
                } else {
                    notVerbatim.add(vocab.get(contents[i]));
                }
                boolean literal = !t.path("lstrip").asBoolean(false) && !t.path("rstrip").asBoolean(false)
                        && t.path("normalized").isBoolean() && !t.path("normalized").asBoolean();
                if (!literal) {
                    notVerbatim.add(vocab.get(contents[i]));
                }
            }
        } finally {
            for (long e : encodings) {
                TokenizersLibrary.LIB.deleteEncoding(e);
            }
        }
        return notVerbatim;
    }

    /** Ids whose string is theirs alone, less {@code notVerbatim}: see the field of this name. */
    private static BitSet verbatimIds(Map<String, Integer> vocab, String[] idToToken, Set<Integer> notVerbatim) {
        BitSet verbatim = new BitSet(idToToken.length);
        BitSet seen = new BitSet(idToToken.length);
        BitSet shared = new BitSet(idToToken.length);
        for (int id : vocab.values()) {
            if (seen.get(id)) {
                shared.set(id);
            }
            seen.set(id);
        }
        for (int id = 0; id < idToToken.length; id++) {
            verbatim.set(id, idToToken[id] != null && !shared.get(id) && !notVerbatim.contains(id));
        }
        return verbatim;
    }

    /**
     * The piece strings of a native encoding: from its ids where every id is verbatim, else the native strings. The
     * same strings either way; the ids cost one array across JNI against one new string per piece.
     */
    private String[] tokensOf(long encoding) {
        long[] ids = TokenizersLibrary.LIB.getTokenIds(encoding);
        String[] out = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            long id = ids[i];
            if (id < 0 || id >= idToToken.length || !verbatimIds.get((int) id)) {
                return TokenizersLibrary.LIB.getTokens(encoding);
            }
            out[i] = idToToken[(int) id];
        }
        return out;
    }

    /** Encodes {@code text} in one native call, reads the encoding with {@code read} and frees it. */
    private <T> T readEncoding(String text, LongFunction<T> read) {
        long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, false);
        try {
            return read.apply(encoding);
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
    }

    /** The native library's own piece ids, for tests that check {@link #idOf} against them. */
    long[] nativeIds(String text) {
        return readEncoding(text, TokenizersLibrary.LIB::getTokenIds);
    }

    /** The native library's own piece strings, for tests that check {@link #tokenize} against them. */
    String[] nativeTokens(String text) {
        return readEncoding(text, TokenizersLibrary.LIB::getTokens);
    }

    private static String specialName(JsonNode config, String key, String fallback) {
        JsonNode n = config.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.has("content")) {
            return n.get("content").asText();
        }
        return fallback;
    }

    public ModelFamily family() {
        return rules.family();
    }

    public FamilyRules rules() {
        return rules;
    }

    /** Pieces of a text, without special tokens (the reference's {@code tokenizer.tokenize}). */
    public String[] tokenize(String text) {
        return tokenize(text, TokenizerPieces.PIECE_CHARS);
    }

    /** As {@link #tokenize(String)}, a text of two pieces or more cut into pieces of about {@code pieceChars}. */
    String[] tokenize(String text, int pieceChars) {
        if (text.isEmpty()) {
            return new String[0];
        }
        List<String> pieces = pieces(text, pieceChars);
        if (pieces.size() == 1) {
            // Straight to the native encoder, fetching only the tokens: Encoding would copy ids, masks, word ids
            // and spans across JNI too, which doubles the cost on the hot path.
            return readEncoding(text, this::tokensOf);
        }
        long[] encodings = TokenizersLibrary.LIB.batchEncode(tokenizer.getHandle(), pieces.toArray(new String[0]), false);
        String[][] parts = new String[encodings.length][];
        try {
            // Reading the pieces back across JNI is part of the work: also done piece by piece on several threads.
            eachInParallel(encodings.length, i -> parts[i] = tokensOf(encodings[i]));
        } finally {
            for (long e : encodings) {
                TokenizersLibrary.LIB.deleteEncoding(e);
            }
        }
        int total = 0;
        for (String[] p : parts) {
            total += p.length;
        }
        String[] out = new String[total];
        int at = 0;
        for (String[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /**
     * Runs {@code body} for 0..n-1 on several threads and returns only once every call has ended, rethrowing the
     * first failure then. A parallel stream's forEach rethrows as soon as one element fails, while others may still
     * read their native encoding: the caller's finally would free it under them.
     */
    static void eachInParallel(int n, java.util.function.IntConsumer body) {
        java.util.concurrent.atomic.AtomicReference<Throwable> first = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.stream.IntStream.range(0, n).parallel().forEach(i -> {
            try {
                body.accept(i);
            } catch (Throwable t) {
                if (!first.compareAndSet(null, t) && first.get() != t) {
                    first.get().addSuppressed(t);
                }
            }
        });
        Throwable t = first.get();
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new EngineException("Tokenization failed: " + t, t);
        }
    }

    /** The text itself, or its pieces where the tokenizer allows cuts and the text is long enough. */
    private List<String> pieces(String text, int pieceChars) {
        List<Integer> cuts = piecewise != null ? piecewise.cuts(text, pieceChars) : List.of();
        if (cuts.isEmpty()) {
            return List.of(text);
        }
        List<String> out = new java.util.ArrayList<>(cuts.size() + 1);
        int from = 0;
        for (int cut : cuts) {
            out.add(text.substring(from, cut));
            from = cut;
        }
        out.add(text.substring(from));
        return out;
    }

    /** Pieces of several texts in one native call (the Rust library may use several threads). */
    public List<String[]> tokenizeAll(List<String> texts) {
        List<String[]> out = new java.util.ArrayList<>(texts.size());
        if (texts.isEmpty()) {
            return out;
        }
        long[] encodings = TokenizersLibrary.LIB.batchEncode(tokenizer.getHandle(), texts.toArray(new String[0]), false);
        try {
            for (long e : encodings) {
                out.add(tokensOf(e));
            }
        } finally {
            for (long e : encodings) {
                TokenizersLibrary.LIB.deleteEncoding(e);
            }
        }
        return out;
    }

    /** Pieces with their character spans in {@code text}. */
    public TokenizedText tokenizeWithSpans(String text) {
        return tokenizeWithSpans(text, TokenizerPieces.PIECE_CHARS);
    }

    /** As {@link #tokenizeWithSpans(String)}, a long text cut into pieces of about {@code pieceChars}. */
    TokenizedText tokenizeWithSpans(String text, int pieceChars) {
        if (text.isEmpty()) {
            return new TokenizedText(new String[0], new int[0], new int[0]);
        }
        List<String> pieces = pieces(text, pieceChars);
        // Tokens and spans only, straight from the native encoding (DJL's Encoding would also copy ids, type ids,
        // word ids and masks across JNI, a third of the cost on a long text).
        long[] encodings = pieces.size() == 1
                ? new long[] {TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, false)}
                : TokenizersLibrary.LIB.batchEncode(tokenizer.getHandle(), pieces.toArray(new String[0]), false);
        try {
            String[][] tokens = new String[encodings.length][];
            TokenSpans[] spans = new TokenSpans[encodings.length];
            // Copying tokens and spans across JNI is a third of the work: piece by piece on several threads.
            eachInParallel(encodings.length, i -> {
                tokens[i] = tokensOf(encodings[i]);
                spans[i] = TokenSpans.of(pieces.get(i), TokenizersLibrary.LIB.getTokenCharSpans(encodings[i]),
                        tokens[i].length);
            });
            int total = 0;
            for (String[] t : tokens) {
                total += t.length;
            }
            if (encodings.length == 1) {
                return new TokenizedText(tokens[0], spans[0].starts(), spans[0].ends());
            }
            String[] allTokens = new String[total];
            int[] starts = new int[total];
            int[] ends = new int[total];
            int at = 0;
            int offset = 0;
            for (int i = 0; i < encodings.length; i++) {
                int n = tokens[i].length;
                System.arraycopy(tokens[i], 0, allTokens, at, n);
                for (int k = 0; k < n; k++) {
                    int s = spans[i].starts()[k];
                    int e = spans[i].ends()[k];
                    starts[at + k] = s < 0 ? s : s + offset;
                    ends[at + k] = e < 0 ? e : e + offset;
                }
                at += n;
                offset += pieces.get(i).length();
            }
            return new TokenizedText(allTokens, starts, ends);
        } finally {
            for (long e : encodings) {
                TokenizersLibrary.LIB.deleteEncoding(e);
            }
        }
    }

    /** Number of pieces of a short string; cached, since every request asks it for each of its force tokens. */
    public int pieceCount(String text) {
        if (text.length() > 64) {
            return tokenize(text).length;
        }
        Integer n = pieceCounts.get(text);
        if (n == null) {
            n = tokenize(text).length;
            if (pieceCounts.size() < 10_000) {
                pieceCounts.put(text, n);
            }
        }
        return n;
    }

    /** {@code convert_tokens_to_ids}: unknown strings map to the unk id. */
    public int idOf(String token) {
        Integer id = vocab.get(token);
        return id == null ? unkId : id;
    }

    /** {@code convert_ids_to_tokens}. */
    public String tokenOf(int id) {
        if (id < 0 || id >= idToToken.length || idToToken[id] == null) {
            return idToToken[unkId];
        }
        return idToToken[id];
    }

    /** {@code convert_tokens_to_string}: the family decoder applied to token or word strings. */
    public String decode(List<String> tokens) {
        return rules.decode(tokens);
    }

    /** Special-token strings skipped when merging tokens into words. */
    public Set<String> specialTokens() {
        return specialTokens;
    }

    /**
     * Id of the first placeholder {@code [NEW0]}; {@code [NEWi]} is {@code base + i} wherever tokenizer.json's ids
     * are consistent (the ids are the native tokenizer's, see {@link #idOf}).
     */
    public int placeholderBaseId() {
        return placeholderBase;
    }

    public int unkId() {
        return unkId;
    }

    /** Number of ids (vocabulary plus added tokens plus placeholders). */
    public int vocabularySize() {
        return idToToken.length;
    }

    /** The boundary strings the reference's dataset uses, whatever the family: "[CLS]", "[SEP]", "[PAD]". */
    public String inputStartToken() {
        return "[CLS]";
    }

    public String inputEndToken() {
        return "[SEP]";
    }

    public String inputPadToken() {
        return "[PAD]";
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
