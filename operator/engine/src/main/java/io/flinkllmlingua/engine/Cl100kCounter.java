package io.flinkllmlingua.engine;

import io.flinkllmlingua.engine.internal.TokenCounter;

/**
 * cl100k_base token counts as the engine reports them ({@code original_tokens}, {@code compressed_tokens}): for
 * callers that need the same measure outside a compression, e.g. a text passed through unchanged. Thread-safe.
 */
public final class Cl100kCounter {
    private final TokenCounter counter = new TokenCounter();

    /** Token count of {@code text}; under {@link SpecialTokenPolicy#REJECT} a special-token string is refused. */
    public int count(String text, SpecialTokenPolicy policy) {
        return counter.count(text, policy);
    }
}
