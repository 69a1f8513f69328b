package io.flinkllmlingua.training;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Keep/drop labels for an original text from a compressed version of it, in the spirit of the LLMLingua-2 paper's
 * data annotation (Pan et al. 2024, section 3.2): the compressor was told to delete words only, never to reorder or
 * change them, so each compressed unit is matched, in order, to a unit of the original, and the matched original
 * units are the kept ones.
 *
 * <p>The algorithm, per compressed unit (units and their comparison form are {@link TextUnits}'s):
 * <ol>
 *   <li>the nearest exact match at or after the current position, within a window of
 *       {@code max(64, 4 * originalUnits / compressedUnits)} units (four times the mean gap between kept units);</li>
 *   <li>otherwise the nearest exact match further on, accepted only when the next compressed unit also matches
 *       within a window after it (two units agreeing make a long jump trustworthy; one common word does not);</li>
 *   <li>otherwise a fuzzy match inside the window (the same word in another form: both at least four characters
 *       and one a prefix of the other, or one edit apart), for compressors that changed a word's form;</li>
 *   <li>otherwise the unit is unmatched and the position stays.</li>
 * </ol>
 * A match moves the position past the matched unit, so the order is kept.
 *
 * <p>Quality checks, as the paper's: the <em>variation rate</em> is the share of compressed units that occur nowhere
 * in the original (the compressor added or changed words); the <em>hitting rate</em> is one minus it; the
 * <em>matching rate</em> is the share of compressed units the alignment placed; the <em>alignment gap</em> is
 * hitting rate minus matching rate (words that exist in the original but could not be placed in order). A pair with
 * a high variation rate or alignment gap gives unreliable labels and should be left out of training.
 */
public final class PairAligner {
    /** Defaults for {@link Result#acceptable}: at most 10 % of compressed units absent, and at most 10 % unplaced. */
    public static final double DEFAULT_MAX_VARIATION_RATE = 0.10;
    public static final double DEFAULT_MAX_ALIGNMENT_GAP = 0.10;
    private static final int MIN_WINDOW = 64;
    private static final int FUZZY_MIN_LENGTH = 4;

    private PairAligner() {}

    /**
     * @param labels          the original's units labelled: kept iff matched
     * @param variationRate   compressed units occurring nowhere in the original / compressed units
     * @param alignmentGap    hitting rate minus matching rate
     * @param compressedUnits units of the compressed text
     * @param matchedUnits    compressed units placed (exactly or fuzzily)
     * @param fuzzyUnits      of those, placed by a fuzzy match
     */
    public record Result(LabeledText labels, double variationRate, double alignmentGap, int compressedUnits,
                         int matchedUnits, int fuzzyUnits) {
        public boolean acceptable(double maxVariationRate, double maxAlignmentGap) {
            return variationRate <= maxVariationRate && alignmentGap <= maxAlignmentGap;
        }
    }

    public static Result align(String id, String language, String original, String compressed) {
        List<TextUnits.Span> spans = TextUnits.split(original);
        int n = spans.size();
        String[] ori = new String[n];
        for (int i = 0; i < n; i++) {
            ori[i] = TextUnits.key(spans.get(i).of(original));
        }
        List<String> comp = TextUnits.keys(compressed);
        int m = comp.size();
        boolean[] keep = new boolean[n];
        if (m == 0) {
            return new Result(LabeledText.of(id, language, original, keep), 0, 0, 0, 0, 0);
        }
        Set<String> present = new HashSet<>(List.of(ori));
        int window = Math.max(MIN_WINDOW, (int) Math.ceil(4.0 * n / m));
        int pos = 0;
        int matched = 0;
        int fuzzy = 0;
        int hits = 0;
        for (int c = 0; c < m; c++) {
            String unit = comp.get(c);
            if (present.contains(unit)) {
                hits++;
            }
            int at = find(ori, unit, pos, Math.min(n, pos + window));
            if (at < 0) {
                at = find(ori, unit, Math.min(n, pos + window), n);
                if (at >= 0 && c + 1 < m && find(ori, comp.get(c + 1), at + 1, Math.min(n, at + 1 + window)) < 0) {
                    at = -1;
                }
                if (at >= 0 && c + 1 == m) {
                    at = -1;
                }
            }
            if (at < 0) {
                at = findFuzzy(ori, unit, pos, Math.min(n, pos + window));
                if (at >= 0) {
                    fuzzy++;
                }
            }
            if (at >= 0) {
                keep[at] = true;
                matched++;
                pos = at + 1;
            }
        }
        double hitting = (double) hits / m;
        double matching = (double) matched / m;
        return new Result(LabeledText.of(id, language, original, keep), 1 - hitting,
                Math.max(0, hitting - matching), m, matched, fuzzy);
    }

    private static int find(String[] ori, String unit, int from, int to) {
        for (int i = from; i < to; i++) {
            if (ori[i].equals(unit)) {
                return i;
            }
        }
        return -1;
    }

    private static int findFuzzy(String[] ori, String unit, int from, int to) {
        if (unit.length() < FUZZY_MIN_LENGTH) {
            return -1;
        }
        for (int i = from; i < to; i++) {
            if (similar(ori[i], unit)) {
                return i;
            }
        }
        return -1;
    }

    static boolean similar(String a, String b) {
        if (a.length() < FUZZY_MIN_LENGTH || b.length() < FUZZY_MIN_LENGTH) {
            return false;
        }
        if (a.startsWith(b) || b.startsWith(a)) {
            return true;
        }
        return withinOneEdit(a, b);
    }

    private static boolean withinOneEdit(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 1) {
            return false;
        }
        int i = 0;
        int j = 0;
        int edits = 0;
        while (i < a.length() && j < b.length()) {
            if (a.charAt(i) == b.charAt(j)) {
                i++;
                j++;
                continue;
            }
            if (++edits > 1) {
                return false;
            }
            if (a.length() > b.length()) {
                i++;
            } else if (b.length() > a.length()) {
                j++;
            } else {
                i++;
                j++;
            }
        }
        return edits + (a.length() - i) + (b.length() - j) <= 1;
    }
}
