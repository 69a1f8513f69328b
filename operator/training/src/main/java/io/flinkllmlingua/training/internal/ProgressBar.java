package io.flinkllmlingua.training.internal;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One status line on standard error, rewritten in place ({@code \r}) at most every 200 ms: a bar, the caller's
 * text, items per second and the estimated time left. {@link #finish} ends the line.
 */
public final class ProgressBar {
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final int WIDTH = 24;

    private final PrintStream out;
    private final String unit;
    private long startNanos;
    private long lastDraw;
    private long total;

    public ProgressBar(PrintStream out, String unit) {
        this.out = out;
        this.unit = unit;
    }

    /** Starts a phase of {@code total} items (the rate and the ETA restart). */
    public void start(long total) {
        this.total = total;
        this.startNanos = System.nanoTime();
        this.lastDraw = 0;
    }

    /** Redraws if due: {@code done} of the phase's total, {@code text} before the rate. */
    public void update(long done, long items, String text) {
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        out.print("\r" + line(done, items, text, now) + "  ");
        out.flush();
    }

    /** The final state of the phase, then a line break. */
    public void finish(long done, long items, String text) {
        out.print("\r" + line(done, items, text, System.nanoTime()) + "  \n");
        out.flush();
    }

    private String line(long done, long items, String text, long now) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        double fraction = total <= 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        String bar = "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "]";
        double rate = items / seconds;
        double left = fraction <= 0 ? Double.NaN : seconds * (1 - fraction) / fraction;
        return String.format(Locale.ROOT, "%s %3.0f%% %s %,.0f %s/s ETA %s", bar, fraction * 100, text, rate, unit,
                duration(left));
    }

    static String duration(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
