package io.flinkllmlingua.engine.internal;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.GptBytePairEncodingParams;
import io.flinkllmlingua.engine.InvalidRequestException;
import io.flinkllmlingua.engine.SpecialTokenPolicy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Counts cl100k_base tokens, the reference's measure for origin/compressed sizes and for the per-word weights of
 * the threshold. Thread-safe. Word counts are cached because the same short words recur in every chunk.
 *
 * <p>jtokkit's fast cl100k parser classes characters with this JVM's {@link Character} tables (Java 17: Unicode
 * 13), tiktoken with the Rust regex crate's (Unicode {@value UnicodeClasses#UNICODE_VERSION}). A text holding a
 * code point the two class differently (a letter or digit added since, e.g. U+10585) is counted with tiktoken's
 * own pattern over {@link UnicodeClasses} instead; every other text takes the fast parser.
 */
public final class TokenCounter {
    /** cl100k_base special tokens; tiktoken's {@code encode} raises on any of them by default. */
    public static final List<String> SPECIAL_TOKENS = List.of(
            "<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>");

    private static final int WORD_CACHE_LIMIT = 200_000;
    private static final int WORD_CACHE_MAX_LENGTH = 32;

    private final ConcurrentHashMap<String, Integer> wordCache = new ConcurrentHashMap<>();

    /**
     * jtokkit's cl100k_base, built once per class loader on first use and shared by every counter: its rank tables
     * are immutable, and each build took 0.1-0.35 s of CPU and kept 14 MB of heap (jtokkit 1.1.0, 2026-12-07), for
     * every engine, so for every subtask of a TaskManager.
     */
    private static final class Cl100k {
        static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

        private Cl100k() {}
    }

    /** Token count of a whole text, applying the special-token policy. */
    public int count(String text, SpecialTokenPolicy policy) {
        if (policy == SpecialTokenPolicy.REJECT) {
            rejectSpecialTokens(text);
        }
        return encodingFor(text).countTokensOrdinary(text);
    }

    private Encoding encodingFor(String text) {
        return UnicodeClasses.differsFromJvm(text) ? UnicodeCl100k.ENCODING : Cl100k.ENCODING;
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
            return encodingFor(word).countTokensOrdinary(word);
        }
        Integer cached = wordCache.get(word);
        if (cached != null) {
            return cached;
        }
        int n = encodingFor(word).countTokensOrdinary(word);
        if (wordCache.size() < WORD_CACHE_LIMIT) {
            wordCache.put(word, n);
        }
        return n;
    }

    /**
     * cl100k_base with tiktoken's pattern (tiktoken_ext/openai_public.py) over {@link UnicodeClasses}, built on
     * first use: the same ranks (jtokkit's resource), jtokkit's regex-driven BPE.
     */
    static final class UnicodeCl100k {
        static final String RANKS_RESOURCE = "/com/knuddels/jtokkit/cl100k_base.tiktoken";
        static final Pattern PATTERN = pattern();
        static final Encoding ENCODING = Encodings.newLazyEncodingRegistry()
                .registerGptBytePairEncoding(new GptBytePairEncodingParams("cl100k_base-unicode-"
                        + UnicodeClasses.UNICODE_VERSION, PATTERN, ranks(), Map.of(
                        "<|endoftext|>", 100257, "<|fim_prefix|>", 100258, "<|fim_middle|>", 100259,
                        "<|fim_suffix|>", 100260, "<|endofprompt|>", 100276)))
                .getEncoding("cl100k_base-unicode-" + UnicodeClasses.UNICODE_VERSION).orElseThrow();

        private UnicodeCl100k() {}

        private static Pattern pattern() {
            String l = UnicodeClasses.letterClassBody();
            String n = UnicodeClasses.numberClassBody();
            // tiktoken: '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+
            //           |\s++$|\s*[\r\n]|\s+(?!\S)|\s  -- with Rust's $ (end of text) written \z, and \s the
            // Unicode White_Space property (UNICODE_CHARACTER_CLASS, which also makes (?i) Unicode-aware as in Rust).
            return Pattern.compile("'(?i:[sdmt]|ll|ve|re)|[^\\r\\n" + l + n + "]?+[" + l + "]++|[" + n + "]{1,3}+"
                    + "| ?[^\\s" + l + n + "]++[\\r\\n]*+|\\s++\\z|\\s*[\\r\\n]|\\s+(?!\\S)|\\s",
                    Pattern.UNICODE_CHARACTER_CLASS);
        }

        private static Map<byte[], Integer> ranks() {
            Map<byte[], Integer> ranks = new HashMap<>(200_000);
            try (InputStream in = Encoding.class.getResourceAsStream(RANKS_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("jtokkit has no " + RANKS_RESOURCE);
                }
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
                String line;
                while ((line = r.readLine()) != null) {
                    int space = line.indexOf(' ');
                    if (space > 0) {
                        ranks.put(Base64.getDecoder().decode(line.substring(0, space)),
                                Integer.parseInt(line.substring(space + 1).trim()));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return ranks;
        }
    }
}
