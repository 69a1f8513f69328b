package io.flinkllmlingua.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Repeated measurements of one path: on a shared 2-core VM two runs of the same command differ by 10-20 %, so the
 * suite alternates rounds of the engine and of the best plan and reports each path's median round.
 */
final class Rounds {
    private Rounds() {}

    /** The round with the median value (the lower middle one of an even count). */
    static <T> T median(List<T> rounds, ToDoubleFunction<T> value) {
        if (rounds.isEmpty()) {
            throw new IllegalArgumentException("no rounds");
        }
        List<T> sorted = new ArrayList<>(rounds);
        sorted.sort(Comparator.comparingDouble(value));
        return sorted.get((sorted.size() - 1) / 2);
    }

    /** "median of 3 rounds (297, 382, 460 tokens/s)" in run order; empty for a single round. */
    static String describe(List<PathResult> rounds) {
        if (rounds.size() < 2) {
            return "";
        }
        return "median of " + rounds.size() + " rounds (" + rounds.stream()
                .map(r -> String.format(Locale.ROOT, "%.0f", r.tokensPerSecond()))
                .collect(Collectors.joining(", ")) + " tokens/s)";
    }
}
