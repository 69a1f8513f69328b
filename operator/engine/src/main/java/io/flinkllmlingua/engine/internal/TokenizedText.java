package io.flinkllmlingua.engine.internal;

/**
 * Tokens of a text as the model tokenizer produced them ({@code tokenize}), with each token's character span
 * in the text (UTF-16 indices, end exclusive; -1 where the tokenizer gives none).
 */
public record TokenizedText(String[] tokens, int[] starts, int[] ends) {
    public int size() {
        return tokens.length;
    }
}
