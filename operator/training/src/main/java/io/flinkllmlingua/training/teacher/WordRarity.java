package io.flinkllmlingua.training.teacher;

import io.flinkllmlingua.training.TextUnits;
import java.util.HashMap;
import java.util.Map;

/**
 * How rare a unit is in the corpus being labelled: {@code log(N / c) / log(N)} for a unit seen {@code c} times among
 * {@code N}, so 1 for a unit seen once (or never) and near 0 for the commonest. Counting the labelled corpus itself
 * needs no bundled list and no provenance beyond the corpus, and it makes a corpus's own jargon ("systemd" in systemd
 * docs) count as less surprising than a one-off name, as a reader of that corpus would.
 */
public final class WordRarity {
    private final Map<String, Integer> counts;
    private final long total;

    private WordRarity(Map<String, Integer> counts, long total) {
        this.counts = counts;
        this.total = total;
    }

    /** Counts the units of {@code texts}. */
    public static WordRarity of(Iterable<String> texts) {
        Map<String, Integer> counts = new HashMap<>();
        long total = 0;
        for (String text : texts) {
            for (String key : TextUnits.keys(text)) {
                counts.merge(key, 1, Integer::sum);
                total++;
            }
        }
        return new WordRarity(counts, total);
    }

    /** Rarity in [0, 1] of a unit in {@link TextUnits#key} form. */
    public double of(String key) {
        if (total < 2) {
            return 1.0;
        }
        int c = Math.max(1, counts.getOrDefault(key, 0));
        return Math.min(1.0, Math.log((double) total / c) / Math.log(total));
    }

    public long total() {
        return total;
    }
}
