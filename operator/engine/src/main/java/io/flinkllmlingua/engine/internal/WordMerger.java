package io.flinkllmlingua.engine.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Merges model pieces into words with their probabilities (the reference's {@code __merge_token_to_word}).
 * Special tokens (boundaries, unknown pieces) are skipped; forcing only overrides a word's first piece.
 */
public final class WordMerger {
    private final FamilyRules rules;
    private final Set<String> specialTokens;

    public WordMerger(FamilyRules rules, Set<String> specialTokens) {
        this.rules = rules;
        this.specialTokens = specialTokens;
    }

    /**
     * @param tokens the chunk's active token strings (ids converted back to strings), boundaries included
     * @param probabilities keep probability of each token (float32 values)
     */
    public ChunkWords merge(String[] tokens, float[] probabilities, ForceTokenMap force, boolean forceReserveDigit) {
        Set<String> forceTokens = force.forceTokens();
        Set<String> placeholders = force.placeholders();
        List<String> words = new ArrayList<>();
        List<double[]> probs = new ArrayList<>();
        double[] unforced = new double[tokens.length];
        int[] first = new int[tokens.length];
        int[] last = new int[tokens.length];

        StringBuilder current = null;
        double[] currentProbs = null;
        int currentCount = 0;
        for (int k = 0; k < tokens.length; k++) {
            String token = tokens[k];
            if (specialTokens.contains(token)) {
                continue;
            }
            double p = probabilities[k];
            // A leading continuation piece would crash the reference; here it simply starts a word.
            if (rules.startsNewWord(token, forceTokens, placeholders) || current == null) {
                if (current != null) {
                    words.add(current.toString());
                    probs.add(Arrays.copyOf(currentProbs, currentCount));
                }
                String pure = rules.stripMarker(token);
                boolean forced = forceTokens.contains(pure) || placeholders.contains(pure);
                String restored = force.restore(token);
                double firstProb;
                if (forceReserveDigit && containsDigit(restored)) {
                    firstProb = 1.0;
                } else if (forced) {
                    firstProb = 1.0;
                } else {
                    firstProb = p;
                }
                int w = words.size();
                current = new StringBuilder(restored);
                currentProbs = new double[4];
                currentProbs[0] = firstProb;
                currentCount = 1;
                unforced[w] = p;
                first[w] = k;
                last[w] = k;
            } else {
                current.append(rules.stripMarker(token));
                if (currentCount == currentProbs.length) {
                    currentProbs = Arrays.copyOf(currentProbs, currentCount * 2);
                }
                currentProbs[currentCount++] = forceReserveDigit && containsDigit(token) ? 1.0 : p;
                last[words.size()] = k;
            }
        }
        if (current != null) {
            words.add(current.toString());
            probs.add(Arrays.copyOf(currentProbs, currentCount));
        }
        int n = words.size();
        return new ChunkWords(words, probs, Arrays.copyOf(unforced, n), Arrays.copyOf(first, n), Arrays.copyOf(last, n));
    }

    /** Python's {@code \d}: any Unicode decimal digit (Nd), from the engine's Unicode table. */
    static boolean containsDigit(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (UnicodeClasses.isDecimalDigit(cp)) {
                return true;
            }
            i += Character.charCount(cp);
        }
        return false;
    }
}
