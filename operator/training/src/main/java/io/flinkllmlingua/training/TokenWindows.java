package io.flinkllmlingua.training;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.flinkllmlingua.engine.TokenSpans;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model directory's Hugging Face tokenizer, used the way training and evaluation need it: a text's token ids with
 * each token's UTF-16 span, cut into model windows of at most {@code maxLength} ids including the start and end
 * tokens. Windows do not overlap; a token belongs to exactly one. (The engine's own tokenizer wrapper is internal to
 * the engine and adds the reference's placeholders, which training does not want.)
 */
public final class TokenWindows implements AutoCloseable {
    /** The encoders' position limit. */
    public static final int DEFAULT_MAX_LENGTH = 512;

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;
    private final long startId;
    private final long endId;

    /** A text's tokens (no start/end tokens) and their spans; a span is [-1, -1) where the tokenizer gives none. */
    public record Tokens(long[] ids, int[] starts, int[] ends) {
        public int size() {
            return ids.length;
        }
    }

    /**
     * One model input: {@code ids} = start token, tokens {@code [from, from + count)} of the text, end token.
     */
    public record Window(long[] ids, int from, int count) {}

    private TokenWindows(HuggingFaceTokenizer tokenizer, int maxLength) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        long[] framing = tokenizer.encode("", true, false).getIds();
        if (framing.length != 2) {
            throw new IllegalArgumentException("the tokenizer adds " + framing.length
                    + " special tokens around a text; expected a start and an end token");
        }
        this.startId = framing[0];
        this.endId = framing[1];
    }

    /** Loads {@code tokenizer.json} of a model directory. */
    public static TokenWindows open(Path modelDir, int maxLength) {
        if (maxLength < 3) {
            throw new IllegalArgumentException("maxLength must be at least 3, got " + maxLength);
        }
        try {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(modelDir.resolve("tokenizer.json"),
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false",
                            "modelMaxLength", String.valueOf(Integer.MAX_VALUE)));
            try {
                return new TokenWindows(tokenizer, maxLength);
            } catch (RuntimeException e) {
                tokenizer.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load " + modelDir.resolve("tokenizer.json"), e);
        }
    }

    public int maxLength() {
        return maxLength;
    }

    public Tokens tokens(String text) {
        if (text.isEmpty()) {
            return new Tokens(new long[0], new int[0], new int[0]);
        }
        Encoding enc = tokenizer.encode(text, false, false);
        long[] ids = enc.getIds();
        TokenSpans spans = TokenSpans.of(text, enc.getCharTokenSpans(), ids.length);
        return new Tokens(ids, spans.starts(), spans.ends());
    }

    /** Consecutive windows covering every token. */
    public List<Window> windows(Tokens tokens) {
        int perWindow = maxLength - 2;
        List<Window> out = new ArrayList<>();
        for (int from = 0; from < tokens.size(); from += perWindow) {
            int count = Math.min(perWindow, tokens.size() - from);
            long[] ids = new long[count + 2];
            ids[0] = startId;
            System.arraycopy(tokens.ids(), from, ids, 1, count);
            ids[count + 1] = endId;
            out.add(new Window(ids, from, count));
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
