package io.flinkllmlingua.jobs.backfill.internal;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;

/**
 * Counts every chunk's outcome in one subtask (parallelism 1: the events are tiny, the count is exact) and logs
 * a progress line at an interval: {@code backfill: 4,200/10,000 chunks (42%), 1,850 tokens/s, ETA 3m12s}. The same
 * numbers are metrics (group {@code backfill}) and accumulators, from which the final report is made.
 */
public final class ProgressReporter extends ProcessFunction<ProgressEvent, Void> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);

    public static final String COMPRESSED = "backfill.compressed";
    public static final String FAILED = "backfill.failed";
    public static final String SKIPPED = "backfill.skipped";
    public static final String TOKENS_IN = "backfill.tokens-in";
    public static final String TOKENS_OUT = "backfill.tokens-out";

    private final long total;
    private final long intervalNanos;

    private transient LongCounter compressed;
    private transient LongCounter failed;
    private transient LongCounter skipped;
    private transient LongCounter tokensIn;
    private transient LongCounter tokensOut;
    private transient Counter compressedMetric;
    private transient Counter failedMetric;
    private transient Counter skippedMetric;
    private transient long start;
    private transient long lastLog;
    /** Done chunks and tokens at the last line, for the rates since then. */
    private transient long lastDone;
    private transient long lastTokens;
    private transient volatile double tokensPerSecond;
    private transient volatile long etaSeconds;

    public ProgressReporter(long total, Duration interval) {
        this.total = total;
        this.intervalNanos = interval.toNanos();
    }

    @Override
    public void open(OpenContext openContext) {
        compressed = getRuntimeContext().getLongCounter(COMPRESSED);
        failed = getRuntimeContext().getLongCounter(FAILED);
        skipped = getRuntimeContext().getLongCounter(SKIPPED);
        tokensIn = getRuntimeContext().getLongCounter(TOKENS_IN);
        tokensOut = getRuntimeContext().getLongCounter(TOKENS_OUT);
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("backfill");
        compressedMetric = g.counter("chunksCompressed");
        failedMetric = g.counter("chunksFailed");
        skippedMetric = g.counter("chunksSkipped");
        g.gauge("chunksTotal", (Gauge<Long>) () -> total);
        g.gauge("chunksDone", (Gauge<Long>) this::done);
        g.gauge("tokensPerSecond", (Gauge<Double>) () -> tokensPerSecond);
        g.gauge("etaSeconds", (Gauge<Long>) () -> etaSeconds);
        start = System.nanoTime();
        lastLog = start;
        etaSeconds = -1;
    }

    private long done() {
        return compressed.getLocalValue() + failed.getLocalValue() + skipped.getLocalValue();
    }

    @Override
    public void processElement(ProgressEvent e, Context ctx, Collector<Void> out) {
        switch (e.kind) {
            case ProgressEvent.COMPRESSED:
                compressed.add(1);
                compressedMetric.inc();
                tokensIn.add(e.tokensIn);
                tokensOut.add(e.tokensOut);
                break;
            case ProgressEvent.FAILED:
                failed.add(1);
                failedMetric.inc();
                break;
            default:
                skipped.add(1);
                skippedMetric.inc();
        }
        long now = System.nanoTime();
        if (now - lastLog >= intervalNanos) {
            log(now, false);
        }
    }

    private void log(long now, boolean last) {
        long done = done();
        long tokens = tokensIn.getLocalValue();
        double seconds = Math.max(1e-9, (now - lastLog) / 1e9);
        // Rates over the last interval: a resumed run skips its first chunks quickly, which an average since the
        // start would count as throughput.
        tokensPerSecond = (tokens - lastTokens) / seconds;
        double chunksPerSecond = (done - lastDone) / seconds;
        etaSeconds = chunksPerSecond > 0 ? (long) Math.ceil(Math.max(0, total - done) / chunksPerSecond) : -1;
        lastLog = now;
        lastDone = done;
        lastTokens = tokens;
        LOG.info(line(done, total, tokensPerSecond, last ? 0 : etaSeconds));
    }

    /** The progress line. */
    static String line(long done, long total, double tokensPerSecond, long etaSeconds) {
        String pct = total > 0 ? String.format(Locale.ROOT, " (%d%%)", Math.min(100, done * 100 / total)) : "";
        String eta = etaSeconds < 0 ? "?" : formatDuration(etaSeconds);
        return String.format(Locale.ROOT, "backfill: %,d/%,d chunks%s, %,.0f tokens/s, ETA %s",
                done, total, pct, tokensPerSecond, eta);
    }

    static String formatDuration(long s) {
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }

    @Override
    public void close() {
        if (compressed != null) {
            log(System.nanoTime(), true);
        }
    }
}
