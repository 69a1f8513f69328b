package io.flinkllmlingua.training.eval;

import io.flinkllmlingua.training.LabeledText;
import io.flinkllmlingua.training.TextUnits;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stopword lists of the stopword baseline and of the "content words" view: one per language, in
 * {@code stopwords-<lang>.txt} next to this class (provenance in each file's header). A language without a list has
 * no stopwords, so its stopword baseline keeps units in text order.
 */
public final class Stopwords {
    private final Set<String> keys;

    private Stopwords(Set<String> keys) {
        this.keys = Set.copyOf(keys);
    }

    /** Lists read so far, by primary subtag: evaluation asks once per text. */
    private static final Map<String, Stopwords> LISTS = new ConcurrentHashMap<>();

    /** The list for {@code language}'s primary subtag (en-US reads the English list); empty when there is none. */
    public static Stopwords forLanguage(String language) {
        return LISTS.computeIfAbsent(LabeledText.primaryLanguage(language), Stopwords::read);
    }

    private static Stopwords read(String primary) {
        try (InputStream in = Stopwords.class.getResourceAsStream("stopwords-" + primary + ".txt")) {
            if (in == null) {
                return new Stopwords(Set.of());
            }
            Set<String> out = new HashSet<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                String w = line.strip();
                if (!w.isEmpty() && !w.startsWith("#")) {
                    out.add(TextUnits.key(w));
                }
            }
            return new Stopwords(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stopword list of " + primary, e);
        }
    }

    /** Whether a unit (any case, any width) is a stopword. */
    public boolean contains(String unit) {
        return keys.contains(TextUnits.key(unit));
    }

    public int size() {
        return keys.size();
    }
}
