package io.flinkllmlingua.training.eval;

/** Unit counts per {@link UnitClasses class}: all of a text's, or those kept (fractional for an expected value). */
public record ClassCounts(double numbers, double entities, double content) {
    public static final ClassCounts ZERO = new ClassCounts(0, 0, 0);

    /** The units of each class in the text. */
    public static ClassCounts totals(UnitClasses classes) {
        boolean[] all = new boolean[classes.number().length];
        java.util.Arrays.fill(all, true);
        return kept(all, classes, 1);
    }

    /** The kept units of each class, divided by {@code divisor} (the number of draws an expectation sums). */
    public static ClassCounts kept(boolean[] keep, UnitClasses classes, int divisor) {
        int numbers = 0;
        int entities = 0;
        int content = 0;
        for (int i = 0; i < keep.length; i++) {
            if (keep[i]) {
                numbers += classes.number()[i] ? 1 : 0;
                entities += classes.entity()[i] ? 1 : 0;
                content += classes.content()[i] ? 1 : 0;
            }
        }
        return new ClassCounts((double) numbers / divisor, (double) entities / divisor, (double) content / divisor);
    }

    public ClassCounts plus(ClassCounts o) {
        return new ClassCounts(numbers + o.numbers, entities + o.entities, content + o.content);
    }

    /** This count's share of {@code totals}, class by class; null (no such units) where a total is 0. */
    public Shares shareOf(ClassCounts totals) {
        return new Shares(share(numbers, totals.numbers), share(entities, totals.entities),
                share(content, totals.content));
    }

    private static Double share(double part, double whole) {
        return whole == 0 ? null : part / whole;
    }

    /** Shares kept per class; null where the text has no unit of that class. */
    public record Shares(Double numbers, Double entities, Double content) {}
}
