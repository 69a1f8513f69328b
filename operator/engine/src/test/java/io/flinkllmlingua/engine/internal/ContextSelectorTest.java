package io.flinkllmlingua.engine.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flinkllmlingua.engine.CompressionOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Spec §8.1 (context-level rate), §8.3 (non-strict selection, force_context_ids). */
class ContextSelectorTest {
    private static final double[] SCORES = {0.41, 0.55, 0.62};
    private static final double EPS = 1e-12;

    private static CompressionOptions.Builder opts() {
        return CompressionOptions.compressPromptDefaults();
    }

    private static boolean[] labels(int... l) {
        boolean[] b = new boolean[l.length];
        for (int i = 0; i < l.length; i++) {
            b[i] = l[i] == 1;
        }
        return b;
    }

    /** §8.3: rate 0.5, nothing else ⇒ context rate (0.5 + 1) / 2 = 0.75 ⇒ q 25 ⇒ Tc = 0.48 ⇒ contexts 2 and 3. */
    @Test
    void rateDerivation() {
        ContextSelector.Decision d = ContextSelector.select(SCORES, 300, opts().rate(0.5).build());
        assertEquals(0.75, d.contextLevelRate());
        assertEquals(25, d.percentileIndex());
        assertEquals(0.48, d.threshold(), EPS);
        assertArrayEquals(labels(0, 1, 1), d.kept());
    }

    /** §8.1 step 1 with the token filter off: the context rate is the rate itself; q 50 ⇒ Tc = 0.55 exactly. */
    @Test
    void nonStrictSelection() {
        ContextSelector.Decision d = ContextSelector.select(SCORES, 300,
                opts().rate(0.5).useTokenLevelFilter(false).build());
        assertEquals(0.5, d.contextLevelRate());
        assertEquals(50, d.percentileIndex());
        assertEquals(0.55, d.threshold());
        // 0.55 >= 0.55: kept (the token stage's strict > would drop it)
        assertArrayEquals(labels(0, 1, 1), d.kept());
    }

    /** §8.3: target_token 100, 300 original tokens ⇒ budget 200 ⇒ rate 0.6667 ⇒ q 33 ⇒ Tc = 0.5024. */
    @Test
    void targetTokenDoubledForContextBudget() {
        ContextSelector.Decision d = ContextSelector.select(SCORES, 300, opts().targetToken(100).build());
        assertEquals(200.0 / 300, d.contextLevelRate());
        assertEquals(33, d.percentileIndex());
        assertEquals(0.5024, d.threshold(), EPS);
        assertArrayEquals(labels(0, 1, 1), d.kept());
    }

    /** Token filter off: the budget is target_token itself ⇒ 1/3 ⇒ q 66 ⇒ Tc = 0.5724 ⇒ only context 3. */
    @Test
    void targetTokenWithoutTokenFilter() {
        ContextSelector.Decision d = ContextSelector.select(SCORES, 300,
                opts().targetToken(100).useTokenLevelFilter(false).build());
        assertEquals(100.0 / 300, d.contextLevelRate());
        assertEquals(66, d.percentileIndex());
        assertEquals(0.5724, d.threshold(), EPS);
        assertArrayEquals(labels(0, 0, 1), d.kept());
    }

    /** §8.4 golden case 2: target_token 40, 98 tokens ⇒ budget 80 ⇒ q 18 ⇒ only the higher-scored context. */
    @Test
    void goldenCaseTwo() {
        ContextSelector.Decision d = ContextSelector.select(new double[] {0.6, 0.3}, 98, opts().targetToken(40).build());
        assertEquals(80.0 / 98, d.contextLevelRate());
        assertEquals(18, d.percentileIndex());
        assertArrayEquals(labels(1, 0), d.kept());
    }

    /** §8.1 step 2: target_context / number of contexts, in double (2/3, not integer 0). */
    @Test
    void targetContext() {
        ContextSelector.Decision one = ContextSelector.select(SCORES, 300, opts().targetContext(1).build());
        assertEquals(1.0 / 3, one.contextLevelRate());
        assertArrayEquals(labels(0, 0, 1), one.kept());

        ContextSelector.Decision two = ContextSelector.select(SCORES, 300, opts().targetContext(2).build());
        assertEquals(2.0 / 3, two.contextLevelRate());
        assertEquals(33, two.percentileIndex());
        assertArrayEquals(labels(0, 1, 1), two.kept());

        ContextSelector.Decision all = ContextSelector.select(SCORES, 300, opts().targetContext(5).build());
        assertEquals(1.0, all.contextLevelRate());
        assertEquals(0, all.percentileIndex());
        assertArrayEquals(labels(1, 1, 1), all.kept());
    }

    /** target_context = 0 passes both the "≤ 0" test of step 1 and the "≥ 0" test of step 2 ⇒ rate 0 ⇒ q 100. */
    @Test
    void targetContextZero() {
        ContextSelector.Decision d = ContextSelector.select(SCORES, 300, opts().targetContext(0).build());
        assertEquals(0.0, d.contextLevelRate());
        assertEquals(100, d.percentileIndex());
        assertEquals(0.62, d.threshold());
        assertArrayEquals(labels(0, 0, 1), d.kept());
    }

    /** §8.1 step 3 is applied after step 2, so context_level_target_token wins over target_context. */
    @Test
    void contextLevelTargetTokenWins() {
        ContextSelector.Decision d = ContextSelector.select(SCORES, 300,
                opts().targetContext(3).contextLevelTargetToken(100).build());
        assertEquals(100.0 / 300, d.contextLevelRate());
        assertArrayEquals(labels(0, 0, 1), d.kept());

        ContextSelector.Decision capped = ContextSelector.select(SCORES, 300,
                opts().targetContext(1).contextLevelTargetToken(600).build());
        assertEquals(1.0, capped.contextLevelRate());
        assertArrayEquals(labels(1, 1, 1), capped.kept());
    }

    /** An explicit context_level_rate suppresses the derivation of step 1 (rate 0.5 would give 0.75). */
    @Test
    void explicitContextLevelRate() {
        ContextSelector.Decision d = ContextSelector.select(SCORES, 300,
                opts().rate(0.5).contextLevelRate(0.5).build());
        assertEquals(0.5, d.contextLevelRate());
        assertEquals(50, d.percentileIndex());
        assertArrayEquals(labels(0, 1, 1), d.kept());
    }

    /** rate ≥ 1 and nothing else: the context rate stays 1.0 ⇒ q 0 ⇒ everything kept. */
    @Test
    void rateOneKeepsAll() {
        ContextSelector.Decision d = ContextSelector.select(SCORES, 300, opts().rate(1.0).build());
        assertEquals(1.0, d.contextLevelRate());
        assertEquals(0, d.percentileIndex());
        assertArrayEquals(labels(1, 1, 1), d.kept());
    }

    /** target_token 0 in the context path: budget 0 ⇒ rate 0 ⇒ q 100 ⇒ only the maximum survives. */
    @Test
    void targetTokenZero() {
        ContextSelector.Decision d = ContextSelector.select(SCORES, 300, opts().targetToken(0).build());
        assertEquals(0.0, d.contextLevelRate());
        assertArrayEquals(labels(0, 0, 1), d.kept());
    }

    /** force_context_ids are kept whatever their score; ids outside [0, n) never match. */
    @Test
    void forceContextIds() {
        ContextSelector.Decision d = ContextSelector.select(SCORES, 300,
                opts().targetContext(1).forceContextIds(List.of(0, 7, -1)).build());
        assertArrayEquals(labels(1, 0, 1), d.kept());
    }

    /** Order is preserved and ties at the threshold are all kept. */
    @Test
    void tiesAtThresholdKept() {
        double[] scores = {0.5, 0.2, 0.5, 0.5};
        ContextSelector.Decision d = ContextSelector.select(scores, 300, opts().contextLevelRate(0.25).build());
        assertEquals(75, d.percentileIndex());
        assertEquals(0.5, d.threshold());
        assertArrayEquals(labels(1, 0, 1, 1), d.kept());
    }
}
