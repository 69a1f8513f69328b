package io.flinkllmlingua.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A text with a keep/drop label on each of its {@link TextUnits units}: what the aligner derives from a pair, what a
 * teacher writes, what training reads and what evaluation compares against.
 *
 * @param id       where the text comes from (a record id, a file and line), for messages and reports
 * @param language a BCP 47 language tag, or "und" when unknown; evaluation reports per language
 * @param text     the original text
 * @param units    the units of {@code text} in order, each with its label
 */
public record LabeledText(String id, String language, String text, List<Unit> units) {

    /** One unit of the text and whether it is kept. */
    public record Unit(int start, int end, boolean keep) {}

    public LabeledText {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(text, "text");
        units = List.copyOf(units);
        int previousEnd = 0;
        for (Unit u : units) {
            if (u.start() < previousEnd || u.end() <= u.start() || u.end() > text.length()) {
                throw new IllegalArgumentException("unit [" + u.start() + ", " + u.end() + ") of " + id
                        + " is out of order or outside the text (" + text.length() + " chars)");
            }
            previousEnd = u.end();
        }
    }

    /** Labels {@code text}'s units (as {@link TextUnits#split} finds them) with {@code keep}, one per unit. */
    public static LabeledText of(String id, String language, String text, boolean[] keep) {
        List<TextUnits.Span> spans = TextUnits.split(text);
        if (spans.size() != keep.length) {
            throw new IllegalArgumentException(id + ": " + keep.length + " labels for " + spans.size() + " units");
        }
        List<Unit> units = new ArrayList<>(spans.size());
        for (int i = 0; i < keep.length; i++) {
            units.add(new Unit(spans.get(i).start(), spans.get(i).end(), keep[i]));
        }
        return new LabeledText(id, language, text, units);
    }

    /** The primary subtag of a BCP 47 tag, lower case ({@code en-US} and {@code EN_us} are {@code en}). */
    public static String primaryLanguage(String tag) {
        return tag.toLowerCase(java.util.Locale.ROOT).split("[-_]", 2)[0];
    }

    public String unitText(int i) {
        Unit u = units.get(i);
        return text.substring(u.start(), u.end());
    }

    public int keptCount() {
        int n = 0;
        for (Unit u : units) {
            if (u.keep()) {
                n++;
            }
        }
        return n;
    }

    public boolean[] labels() {
        boolean[] out = new boolean[units.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = units.get(i).keep();
        }
        return out;
    }
}
