package io.flinkllmlingua.models.internal;

import io.flinkllmlingua.models.FetchListener;
import io.flinkllmlingua.models.ModelEntry;
import io.flinkllmlingua.models.ModelFile;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/** Prints fetch events as lines, with progress at most every 5 % or 2 s per file. */
public final class PrintingFetchListener implements FetchListener {
    private static final long MIN_INTERVAL_NANOS = Duration.ofSeconds(2).toNanos();

    private final PrintStream out;
    private long lastPrintNanos;
    private long lastPercent = -1;

    public PrintingFetchListener(PrintStream out) {
        this.out = out;
    }

    @Override
    public void fileStarted(ModelEntry entry, ModelFile file, long bytesDone, long totalBytes) {
        lastPrintNanos = System.nanoTime();
        lastPercent = -1;
        out.println(entry.name() + ": " + file.localName() + " <- " + entry.repo() + "/" + file.path() + " ("
                + (bytesDone > 0 ? "resuming at " + human(bytesDone) + " of " : "") + (totalBytes >= 0 ? human(totalBytes) : "size unknown") + ")");
    }

    @Override
    public void progress(ModelEntry entry, ModelFile file, long bytesDone, long totalBytes) {
        long now = System.nanoTime();
        long percent = totalBytes > 0 ? bytesDone * 100 / totalBytes : -1;
        boolean step = percent >= 0 && percent / 5 != lastPercent / 5;
        if (step || now - lastPrintNanos >= MIN_INTERVAL_NANOS) {
            lastPrintNanos = now;
            lastPercent = percent;
            out.println("  " + file.localName() + ": " + human(bytesDone) + (totalBytes >= 0 ? " / " + human(totalBytes) : "")
                    + (percent >= 0 ? " (" + percent + "%)" : ""));
        }
    }

    @Override
    public void retrying(ModelEntry entry, ModelFile file, int failedAttempt, int maxAttempts, Duration delay, String reason) {
        out.println("  " + file.localName() + ": attempt " + failedAttempt + "/" + maxAttempts + " failed (" + reason
                + "), retrying in " + delay.toMillis() + " ms");
    }

    @Override
    public void fileCompleted(ModelEntry entry, ModelFile file, long size, String sha256) {
        out.println("  " + file.localName() + ": done, " + human(size) + (file.verified() ? ", sha256 verified" : ""));
    }

    @Override
    public void fileReused(ModelEntry entry, ModelFile file, long size, String sha256) {
        out.println(entry.name() + ": " + file.localName() + " already cached (" + human(size) + ")");
    }

    @Override
    public void fileSkipped(ModelEntry entry, ModelFile file, String reason) {
        out.println(entry.name() + ": " + file.localName() + " skipped: " + reason);
    }

    @Override
    public void unverifiedHash(ModelEntry entry, ModelFile file, long size, String sha256) {
        out.println("  UNVERIFIED " + entry.repo() + "@" + entry.revision() + " " + file.path() + ": sha256 " + sha256
                + ", size " + size + " (no pinned hash in the catalog; pin these values once the file is trusted)");
    }

    @Override
    public void trustedByRevision(ModelEntry entry, ModelFile file, long size, String sha256) {
        out.println("  " + file.path() + ": no pinned hash, trusted by the pinned revision " + entry.revision()
                + " (sha256 " + sha256 + ", size " + size + ", recorded in the manifest)");
    }

    @Override
    public void importing(ModelEntry entry, String step) {
        out.println(entry.name() + ": import: " + step);
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double v = bytes;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
