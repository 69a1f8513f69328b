package io.flinkllmlingua.engine.internal;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.flinkllmlingua.engine.InvalidRequestException;
import io.flinkllmlingua.engine.SpecialTokenPolicy;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts cl100k_base tokens, the reference's measure for origin/compressed sizes and for the per-word weights of
 * the threshold. Thread-safe. Word counts are cached because the same short words recur in every chunk.
 */
public final class TokenCounter {
    /** cl100k_base special tokens; tiktoken's {@code encode} raises on any of them by default. */
    public static final List<String> SPECIAL_TOKENS = List.of(
            "<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>");

    private static final int WORD_CACHE_LIMIT = 200_000;
    private static final int WORD_CACHE_MAX_LENGTH = 32;

    private final Encoding encoding;
    private final ConcurrentHashMap<String, Integer> wordCache = new ConcurrentHashMap<>();

    public TokenCounter() {
        this.encoding = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    }

    /** Token count of a whole text, applying the special-token policy. */
    public int count(String text, SpecialTokenPolicy policy) {
        if (policy == SpecialTokenPolicy.REJECT) {
            rejectSpecialTokens(text);
        }
        return encoding.countTokensOrdinary(text);
    }

    /** Throws the reference's error when the text holds a special-token string. */
    public static void rejectSpecialTokens(String text) {
        if (text.indexOf("<|") < 0) {
            return;
        }
        for (String special : SPECIAL_TOKENS) {
            if (text.contains(special)) {
                throw new InvalidRequestException(
                        "The text contains a special token that is not allowed: " + special
                                + " (set the special-token policy to COUNT_AS_TEXT to count it as ordinary text)");
            }
        }
    }

    /** Token count of one word (ordinary text: words are pieces of already-accepted input). */
    public int countWord(String word) {
        if (word.length() > WORD_CACHE_MAX_LENGTH) {
            return encoding.countTokensOrdinary(word);
        }
        Integer cached = wordCache.get(word);
        if (cached != null) {
            return cached;
        }
        int n = encoding.countTokensOrdinary(word);
        if (wordCache.size() < WORD_CACHE_LIMIT) {
            wordCache.put(word, n);
        }
        return n;
    }
}
