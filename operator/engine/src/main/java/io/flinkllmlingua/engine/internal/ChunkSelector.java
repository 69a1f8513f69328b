package io.flinkllmlingua.engine.internal;

import java.util.List;
import java.util.Set;

/**
 * Token-level selection within one chunk (reference §7.3-7.4): a threshold at the percentile of the word
 * probabilities weighted by each word's cl100k_base token count, with the strict keep rule, and the optional
 * drop-consecutive pass over force tokens.
 *
 * <p>A chunk without words (every piece special or unknown, e.g. only {@code <unk>}/{@code [UNK]}: the merge skips
 * them) keeps nothing, so it adds no words, labels or text. The reference raises there instead (numpy's percentile
 * of the empty list: an {@code IndexError}) whenever the token stage runs (rate below 1); with nothing to select
 * (rate 1, token filter off, the chunk's context dropped by the context stage) it runs, and so does the engine.
 */
public final class ChunkSelector {
    private final TokenCounter counter;

    public ChunkSelector(TokenCounter counter) {
        this.counter = counter;
    }

    /**
     * @param words word strings as stored (SentencePiece with {@code ▁})
     * @param wordProbabilities aggregated probability per word (copied, not modified)
     * @param reduceRate fraction to drop, &gt; 0
     * @param forceTokens the request's force tokens
     */
    public ChunkSelection select(List<String> words, double[] wordProbabilities, double reduceRate,
                                 Set<String> forceTokens, boolean dropConsecutive) {
        int n = words.size();
        double[] p = wordProbabilities.clone();
        double dcThreshold = Double.NaN;
        if (dropConsecutive && n > 0) {
            dcThreshold = Percentile.of(p, Percentile.dropConsecutiveIndex(reduceRate));
            boolean between = false;
            String prev = null;
            for (int i = 0; i < n; i++) {
                String w = words.get(i);
                if (forceTokens.contains(w)) {
                    if (between) {
                        between = false;
                    } else if (w.equals(prev)) {
                        p[i] = 0.0;
                    }
                    prev = w;
                } else {
                    between |= p[i] > dcThreshold;
                }
            }
        }
        int q = Percentile.tokenStageIndex(reduceRate);
        boolean[] kept = new boolean[n];
        if (n == 0) {
            // The reference's empty percentile raises; here nothing is kept (see the class comment).
            return new ChunkSelection(kept, q, Double.NaN, dcThreshold, p);
        }
        int total = 0;
        int[] counts = new int[n];
        for (int i = 0; i < n; i++) {
            counts[i] = counter.countWord(words.get(i));
            total += counts[i];
        }
        double[] weighted = new double[total];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < counts[i]; c++) {
                weighted[k++] = p[i];
            }
        }
        double threshold;
        if (total == 0) {
            // Only possible for words of zero cl100k tokens (empty strings); the reference would raise on the
            // empty percentile. Defined here as: nothing passes.
            threshold = Double.POSITIVE_INFINITY;
        } else {
            threshold = Percentile.of(weighted, q);
        }
        String lastKept = null;
        for (int i = 0; i < n; i++) {
            double prob = p[i];
            if (prob > threshold || (threshold == 1.0 && prob == 1.0)) {
                String w = words.get(i);
                if (dropConsecutive && forceTokens.contains(w) && w.equals(lastKept)) {
                    continue;
                }
                kept[i] = true;
                lastKept = w;
            }
        }
        return new ChunkSelection(kept, q, threshold, dcThreshold, p);
    }
}
