package io.flinkllmlingua.engine;

/** How the probabilities of a word's pieces become the word's probability (reference option {@code token_to_word}). */
public enum TokenToWord {
    /** Arithmetic mean of the pieces (reference default). */
    MEAN,
    /** The first piece's probability. */
    FIRST
}
