package io.flinkllmlingua.engine.internal;

import io.flinkllmlingua.engine.CompressionOptions;

/**
 * Context-level (coarse) filtering (reference §8): derives the context-level rate from the request, then keeps
 * the contexts whose mean word probability is at least the percentile (non-strict, no +1), plus forced ones.
 */
public final class ContextSelector {
    private ContextSelector() {}

    /**
     * @param kept keep flag per context
     * @param contextLevelRate the derived fraction of contexts to keep
     * @param percentileIndex the percentile index used
     * @param threshold the score threshold
     */
    public record Decision(boolean[] kept, double contextLevelRate, int percentileIndex, double threshold) {}

    public static Decision select(double[] scores, int originTokens, CompressionOptions o) {
        int n = scores.length;
        double contextLevelRate = o.contextLevelRate();
        double contextLevelTargetToken = o.contextLevelTargetToken();
        int targetContext = o.targetContext();
        if (targetContext <= 0 && contextLevelRate >= 1.0 && contextLevelTargetToken <= 0) {
            if (o.targetToken() < 0 && o.rate() < 1.0) {
                contextLevelRate = o.useTokenLevelFilter() ? (o.rate() + 1) / 2 : o.rate();
            }
            if (o.targetToken() >= 0) {
                contextLevelTargetToken = o.useTokenLevelFilter() ? o.targetToken() * 2 : o.targetToken();
            }
        }
        if (targetContext >= 0) {
            contextLevelRate = Math.min((double) targetContext / n, 1.0);
        }
        if (contextLevelTargetToken >= 0) {
            // The reference divides by zero for an input without tokens; keep every context then.
            contextLevelRate = originTokens == 0 ? 1.0 : Math.min(contextLevelTargetToken / originTokens, 1.0);
        }
        // A caller's context_level_rate above 1 (with nothing deriving another) or below 0 gives the reference a
        // percentile outside [0, 100] and numpy raises; clamped here: above 1 keeps every context, below 0 the
        // best-scored ones, as the reference does at the edges it accepts (1 < rate < 1.01, -0.01 < rate < 0).
        int q = Math.max(0, Math.min(100, Percentile.contextStageIndex(contextLevelRate)));
        double threshold = Percentile.of(scores, q);
        boolean[] kept = new boolean[n];
        for (int i = 0; i < n; i++) {
            kept[i] = scores[i] >= threshold;
        }
        for (Integer id : o.forceContextIds()) {
            // The reference tests "i in force_context_ids": ids outside [0, n) never match.
            if (id >= 0 && id < n) {
                kept[id] = true;
            }
        }
        return new Decision(kept, contextLevelRate, q, threshold);
    }
}
