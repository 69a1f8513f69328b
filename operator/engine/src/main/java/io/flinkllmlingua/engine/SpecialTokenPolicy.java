package io.flinkllmlingua.engine;

/**
 * What to do with text containing a cl100k_base special-token string such as {@code <|endoftext|>}, which the
 * reference's token counter (tiktoken) refuses.
 */
public enum SpecialTokenPolicy {
    /** Reject the request with an {@link InvalidRequestException}, as the reference does (default). */
    REJECT,
    /** Count the string as ordinary text (a documented deviation from the reference). */
    COUNT_AS_TEXT
}
