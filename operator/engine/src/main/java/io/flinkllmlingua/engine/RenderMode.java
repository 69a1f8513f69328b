package io.flinkllmlingua.engine;

/** How kept words become the compressed text. Keep decisions are identical in both modes. */
public enum RenderMode {
    /**
     * Exactly as the reference: the tokenizer's decoder applied to the kept word strings, chunk outputs
     * concatenated without separator. The text is tokenizer-normalised (NFKC for XLM-R, spaces around
     * punctuation for BERT) and loses a space at every chunk boundary.
     */
    REFERENCE,
    /**
     * The kept words are cut from the original input by character spans, so the output is an exact
     * subsequence of the input: original casing, Unicode, URLs, no lost space at chunk boundaries and no
     * spaces inserted between CJK characters. Between two kept words that were not adjacent in the input, the
     * whitespace character before the next word is kept (or one from the dropped stretch where two words would
     * otherwise merge), so attached punctuation stays attached.
     */
    ORIGINAL_SPANS
}
