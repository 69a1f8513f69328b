package io.flinkllmlingua.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RoundsTest {

    private static PathResult rate(double tokensPerSecond) {
        return new PathResult(BenchPath.ENGINE, "m", 1, 1000, 1000 / tokensPerSecond, LatencyStats.NONE, 1, 1, -1, "");
    }

    @Test
    void theMedianRoundIsTheMiddleOneWhateverTheOrder() {
        PathResult slow = rate(297);
        PathResult mid = rate(382);
        PathResult fast = rate(460);
        assertEquals(mid, Rounds.median(List.of(fast, slow, mid), PathResult::tokensPerSecond));
        assertEquals(mid, Rounds.median(List.of(mid, fast, slow), PathResult::tokensPerSecond));
    }

    @Test
    void anEvenCountTakesTheLowerMiddleAndOneRoundIsItself() {
        PathResult a = rate(100);
        PathResult b = rate(200);
        assertEquals(a, Rounds.median(List.of(b, a), PathResult::tokensPerSecond));
        assertEquals(b, Rounds.median(List.of(b), PathResult::tokensPerSecond));
        assertThrows(IllegalArgumentException.class, () -> Rounds.median(List.<PathResult>of(),
                PathResult::tokensPerSecond));
    }

    @Test
    void theFastestRoundIsTheOneWithTheHighestRate() {
        PathResult slow = rate(297);
        PathResult fast = rate(460);
        assertEquals(fast, Rounds.fastest(List.of(slow, fast, rate(382)), PathResult::tokensPerSecond));
        assertEquals(slow, Rounds.fastest(List.of(slow), PathResult::tokensPerSecond));
        assertThrows(IllegalArgumentException.class, () -> Rounds.fastest(List.<PathResult>of(),
                PathResult::tokensPerSecond));
    }

    @Test
    void aRoundThatDidNotRunIsNeverTheFastest() {
        PathResult none = PathResult.skipped(BenchPath.ENGINE, "m", "the engine made no model call");
        PathResult ran = rate(300);
        assertEquals(ran, Rounds.fastest(List.of(none, ran), PathResult::tokensPerSecond));
        assertEquals(none, Rounds.fastest(List.of(none, none), PathResult::tokensPerSecond));
        assertEquals("", Rounds.describe(List.of(none, none)), "nothing to list for rounds that did not run");
    }

    @Test
    void theDescriptionListsTheRoundsInRunOrder() {
        assertEquals("fastest of 3 rounds (460, 297, 382 tokens/s)",
                Rounds.describe(List.of(rate(460), rate(297), rate(382))));
        assertEquals("", Rounds.describe(List.of(rate(460))));
    }
}
