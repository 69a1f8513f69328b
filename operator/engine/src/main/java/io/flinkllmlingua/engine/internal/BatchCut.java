package io.flinkllmlingua.engine.internal;

import java.util.function.IntUnaryOperator;

/**
 * How many of the queued sequences (sorted longest first) go into the next model call.
 *
 * <p>Besides the sequence and padded-token budgets, the cut stops before a sequence that would drop the call's
 * padding efficiency (real tokens / padded positions) below the floor. Corpus chunks split into full 512-piece
 * sequences and short remainders; padding the remainders to 512 next to full ones wasted about a third of the
 * model's work (measured by {@code bench-suite}). The remainders then form the next call, padded to their own length.
 *
 * <p>The floor is measured against the longest member's real length, not its length rounded up to the bucket: the
 * rounding is a shape choice every call pays alike (fewer than {@code bucket} positions per row). Counting it let
 * equal sequences just above a bucket boundary (100 tokens in a 128-wide call: 0.78) run one per call.
 */
final class BatchCut {
    private BatchCut() {}

    /**
     * @param lengthsDesc   real lengths of the queued sequences, longest first
     * @param paddedLength  padded length of a call whose longest member has the given length
     * @param minEfficiency padding-efficiency floor in [0, 1]; 0 disables the check
     * @return the number of leading sequences to run now, at least 1 when any is queued
     */
    static int size(int[] lengthsDesc, int count, int maxSequences, int maxTokens, double minEfficiency,
                    IntUnaryOperator paddedLength) {
        if (count == 0) {
            return 0;
        }
        int padded = paddedLength.applyAsInt(lengthsDesc[0]);
        int fit = Math.min(count, Math.max(1, Math.min(maxSequences, maxTokens / padded)));
        int longest = lengthsDesc[0];
        long real = 0;
        for (int n = 0; n < fit; n++) {
            real += lengthsDesc[n];
            // Lengths only fall, so efficiency only falls: the first sequence that breaks the floor ends the call.
            if (n > 0 && real < minEfficiency * (n + 1) * (double) longest) {
                return n;
            }
        }
        return fit;
    }
}
