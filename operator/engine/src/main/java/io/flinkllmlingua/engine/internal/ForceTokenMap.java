package io.flinkllmlingua.engine.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Force tokens that the model tokenizer splits into several pieces are replaced by the atomic placeholders
 * {@code [NEWi]} before tokenization, and restored in the output (reference §4.1-4.3).
 *
 * <p>The placeholder index is the force token's position in the list, not a running count; the map keeps
 * insertion order, and a duplicate later entry overwrites the value but keeps the first position.
 */
public final class ForceTokenMap {
    private final Map<String, String> forceToPlaceholder;
    private final Map<String, String> placeholderToForce;
    private final Set<String> forceTokens;
    private final Set<String> chunkEndTokens;

    private ForceTokenMap(Map<String, String> forceToPlaceholder, Set<String> forceTokens, Set<String> chunkEndTokens) {
        this.forceToPlaceholder = Collections.unmodifiableMap(forceToPlaceholder);
        Map<String, String> inverse = new LinkedHashMap<>();
        forceToPlaceholder.forEach((k, v) -> inverse.put(v, k));
        this.placeholderToForce = Collections.unmodifiableMap(inverse);
        this.forceTokens = Collections.unmodifiableSet(forceTokens);
        this.chunkEndTokens = Collections.unmodifiableSet(chunkEndTokens);
    }

    public static String placeholder(int i) {
        return "[NEW" + i + "]";
    }

    /**
     * @param forceTokens the request's force tokens, in order
     * @param chunkEndTokens the request's preferred chunk end tokens
     * @param pieceCount number of model-tokenizer pieces of a string
     */
    public static ForceTokenMap build(List<String> forceTokens, List<String> chunkEndTokens, ToIntFunction<String> pieceCount) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < forceTokens.size(); i++) {
            String t = forceTokens.get(i);
            if (pieceCount.applyAsInt(t) != 1) {
                map.put(t, placeholder(i));
            }
        }
        Set<String> ends = new LinkedHashSet<>(chunkEndTokens);
        for (String t : chunkEndTokens) {
            String p = map.get(t);
            if (p != null) {
                ends.add(p);
            }
        }
        return new ForceTokenMap(map, new LinkedHashSet<>(forceTokens), ends);
    }

    /** force token → placeholder, in insertion order. */
    public Map<String, String> mapping() {
        return forceToPlaceholder;
    }

    /** The original force tokens (as a set). */
    public Set<String> forceTokens() {
        return forceTokens;
    }

    /** The placeholder strings in use. */
    public Set<String> placeholders() {
        return placeholderToForce.keySet();
    }

    /** The chunk-end set, extended with the placeholders of mapped chunk-end tokens. */
    public Set<String> chunkEndTokens() {
        return chunkEndTokens;
    }

    public boolean isEmpty() {
        return forceToPlaceholder.isEmpty();
    }

    /** Replaces each mapped force token by its placeholder, entry after entry, as plain global replacement. */
    public String substitute(String text) {
        for (Map.Entry<String, String> e : forceToPlaceholder.entrySet()) {
            text = text.replace(e.getKey(), e.getValue());
        }
        return text;
    }

    /** Puts the original force strings back in place of the placeholders. */
    public String restore(String text) {
        if (forceToPlaceholder.isEmpty() || text.indexOf("[NEW") < 0) {
            return text;
        }
        for (Map.Entry<String, String> e : forceToPlaceholder.entrySet()) {
            text = text.replace(e.getValue(), e.getKey());
        }
        return text;
    }

    /** The original force string of a placeholder token, or null. */
    public String forceOf(String placeholder) {
        return placeholderToForce.get(placeholder);
    }
}
