package io.flinkllmlingua.engine;

import java.io.Serializable;

/**
 * One word of the original text and whether it was kept, as in the reference's {@code fn_labeled_original_prompt}
 * (SentencePiece words without their leading {@code ▁}).
 */
public record WordLabel(String word, boolean kept) implements Serializable {}
