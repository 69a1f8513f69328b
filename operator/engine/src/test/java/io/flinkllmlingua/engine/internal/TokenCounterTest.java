package io.flinkllmlingua.engine.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flinkllmlingua.engine.InvalidRequestException;
import io.flinkllmlingua.engine.SpecialTokenPolicy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Spec §2 step 1 (cl100k_base), §7.3 step 1 (word weights), §4.3 (special-token strings). */
class TokenCounterTest {
    private static TokenCounter counter;

    @BeforeAll
    static void init() {
        counter = new TokenCounter();
    }

    /** §7.3: the ▁ alone costs 2 cl100k tokens, so "▁The" is 3 while "The" is 1; "\n" is 1. */
    @Test
    void wordCounts() {
        assertEquals(3, counter.countWord("\u2581The"));
        assertEquals(1, counter.countWord("The"));
        assertEquals(1, counter.countWord("\n"));
        assertEquals(2, counter.countWord("\u2581"));
        assertEquals(0, counter.countWord(""));
        // cached and uncached (long) words agree with the text count
        String longWord = "\u2581Supercalifragilisticexpialidocious-and-more-text";
        assertEquals(counter.count(longWord, SpecialTokenPolicy.REJECT), counter.countWord(longWord));
        assertEquals(3, counter.countWord("\u2581The"));
    }

    /** §8.4: a placeholder alone is 4 cl100k tokens. */
    @Test
    void placeholderCount() {
        assertEquals(4, counter.count("[NEW0]", SpecialTokenPolicy.REJECT));
    }

    @Test
    void textCounts() {
        assertEquals(0, counter.count("", SpecialTokenPolicy.REJECT));
        assertEquals(2, counter.count("Hello world", SpecialTokenPolicy.REJECT));
        assertEquals(counter.count("Hello world", SpecialTokenPolicy.REJECT),
                counter.count("Hello world", SpecialTokenPolicy.COUNT_AS_TEXT));
    }

    /** tiktoken's encode raises on special-token strings; the reference's message is kept. */
    @ParameterizedTest
    @ValueSource(strings = {"<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>"})
    void specialTokensRejected(String special) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> counter.count("hello " + special + " world", SpecialTokenPolicy.REJECT));
        assertTrue(e.getMessage().startsWith("The text contains a special token that is not allowed: " + special),
                e.getMessage());
    }

    /** COUNT_AS_TEXT counts the special string as ordinary text (several tokens, not the single special id). */
    @Test
    void specialTokensCountedAsText() {
        int n = counter.count("<|endoftext|>", SpecialTokenPolicy.COUNT_AS_TEXT);
        assertTrue(n > 1, "counted as " + n);
        int withContext = counter.count("hello <|endoftext|> world", SpecialTokenPolicy.COUNT_AS_TEXT);
        assertTrue(withContext > n, "counted as " + withContext);
    }

    /** Near misses are ordinary text under REJECT. */
    @Test
    void nearMissesAccepted() {
        assertDoesNotThrow(() -> counter.count("<|endoftext", SpecialTokenPolicy.REJECT));
        assertDoesNotThrow(() -> counter.count("< |endoftext|>", SpecialTokenPolicy.REJECT));
        assertDoesNotThrow(() -> counter.count("<|im_start|>", SpecialTokenPolicy.REJECT));
    }
}
