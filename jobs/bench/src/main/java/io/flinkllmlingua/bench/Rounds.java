package io.flinkllmlingua.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Repeated measurements of one path. On a shared 2-core VM two runs of the same command differ by 10-30 %, and
 * interference only ever slows a run down: the suite alternates rounds of the engine and of the best plan and reports
 * each path's fastest round (the least disturbed estimate of its speed); the many short runs of a small document are
 * summarised by their median.
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

    /** The round with the highest value; rounds without one (NaN: the path did not run) only when all are. */
    static <T> T fastest(List<T> rounds, ToDoubleFunction<T> value) {
        if (rounds.isEmpty()) {
            throw new IllegalArgumentException("no rounds");
        }
        return rounds.stream().filter(r -> !Double.isNaN(value.applyAsDouble(r)))
                .max(Comparator.comparingDouble(value)).orElse(rounds.get(0));
    }

    /** "fastest of 3 rounds (297, 382, 460 tokens/s)" in run order; empty for a single round. */
    static String describe(List<PathResult> rounds) {
        if (rounds.size() < 2 || rounds.stream().noneMatch(PathResult::ran)) {
            return "";
        }
        return "fastest of " + rounds.size() + " rounds (" + rounds.stream()
                .map(r -> String.format(Locale.ROOT, "%.0f", r.tokensPerSecond()))
                .collect(Collectors.joining(", ")) + " tokens/s)";
    }
}
