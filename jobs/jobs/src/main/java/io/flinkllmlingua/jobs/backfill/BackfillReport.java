package io.flinkllmlingua.jobs.backfill;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.flinkllmlingua.jobs.backfill.internal.Progress;
import org.apache.flink.api.common.JobExecutionResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The final numbers of a backfill run: counts, tokens in and out, overall ratio, wall time and rates. */
public final class BackfillReport {
    public final long total;
    public final long compressed;
    public final long skippedUpToDate;
    public final long failed;
    public final long tokensIn;
    public final long tokensOut;
    public final double wallSeconds;
    /** JSONL lines that are not records (only whitespace); 0 for other sources. Not in {@link #total}. */
    public final long blankLinesSkipped;

    public BackfillReport(long total, long compressed, long skippedUpToDate, long failed, long tokensIn,
                          long tokensOut, double wallSeconds) {
        this(total, compressed, skippedUpToDate, failed, tokensIn, tokensOut, wallSeconds, 0);
    }

    public BackfillReport(long total, long compressed, long skippedUpToDate, long failed, long tokensIn,
                          long tokensOut, double wallSeconds, long blankLinesSkipped) {
        this.blankLinesSkipped = blankLinesSkipped;
        this.total = total;
        this.compressed = compressed;
        this.skippedUpToDate = skippedUpToDate;
        this.failed = failed;
        this.tokensIn = tokensIn;
        this.tokensOut = tokensOut;
        this.wallSeconds = wallSeconds;
    }

    static BackfillReport of(JobExecutionResult r, long total, long blankLines, long wallNanos) {
        return new BackfillReport(total, count(r, Progress.COMPRESSED), count(r, Progress.SKIPPED),
                count(r, Progress.FAILED), count(r, Progress.TOKENS_IN),
                count(r, Progress.TOKENS_OUT), wallNanos / 1e9, blankLines);
    }

    private static long count(JobExecutionResult r, String name) {
        Object v = r.getAccumulatorResult(name);
        return v == null ? 0 : ((Number) v).longValue();
    }

    /** Records read: compressed, skipped and failed. */
    public long read() {
        return compressed + skippedUpToDate + failed;
    }

    public double ratio() {
        return tokensOut == 0 ? 0 : (double) tokensIn / tokensOut;
    }

    /** Rows per second over the run (all rows read, skipped ones included). */
    public double rowsPerSecond() {
        return wallSeconds > 0 ? read() / wallSeconds : 0;
    }

    /** Input tokens of the compressed chunks per second over the run. */
    public double tokensPerSecond() {
        return wallSeconds > 0 ? tokensIn / wallSeconds : 0;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", total);
        m.put("read", read());
        m.put("skipped_up_to_date", skippedUpToDate);
        m.put("compressed", compressed);
        m.put("failed", failed);
        m.put("blank_lines_skipped", blankLinesSkipped);
        m.put("tokens_in", tokensIn);
        m.put("tokens_out", tokensOut);
        m.put("ratio", Math.round(ratio() * 100) / 100.0);
        m.put("wall_seconds", Math.round(wallSeconds * 10) / 10.0);
        m.put("rows_per_second", Math.round(rowsPerSecond() * 10) / 10.0);
        m.put("tokens_per_second", Math.round(tokensPerSecond()));
        return m;
    }

    public String toJson() {
        try {
            return new ObjectMapper().writeValueAsString(toMap());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void write(Path file) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toMap()) + "\n");
    }

    /** A human-readable summary. */
    public String summary() {
        return String.format(Locale.ROOT,
                "backfill done: %,d read of %,d (%,d compressed, %,d skipped as up to date, %,d failed; %,d blank lines skipped), "
                        + "tokens %,d -> %,d (%.2fx), %.1f s, %,.1f rows/s, %,.0f tokens/s",
                read(), total, compressed, skippedUpToDate, failed, blankLinesSkipped, tokensIn, tokensOut, ratio(), wallSeconds,
                rowsPerSecond(), tokensPerSecond());
    }
}
