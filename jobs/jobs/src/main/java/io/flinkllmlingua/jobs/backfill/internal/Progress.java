package io.flinkllmlingua.jobs.backfill.internal;

import org.apache.flink.core.execution.JobClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The progress line of a running backfill, from the job's accumulators:
 * {@code backfill: 4,200/10,000 chunks (42%), 1,850 tokens/s, ETA 3m12s}.
 *
 * <p>Why in the client: the counts are kept where the chunks are (the skip step and the output step, chained with
 * the operator), as accumulators and metrics. A counting operator behind a shuffle would see nothing until the
 * compression stage ends, because BATCH mode's exchanges are blocking. Flink reports the accumulators of a running
 * job to the client with the task managers' heartbeats (every 10 s by default), so the line is as fresh as that.
 */
public final class Progress implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    public static final String COMPRESSED = "backfill.compressed";
    public static final String FAILED = "backfill.failed";
    public static final String SKIPPED = "backfill.skipped";
    public static final String TOKENS_IN = "backfill.tokens-in";
    public static final String TOKENS_OUT = "backfill.tokens-out";

    private final JobClient job;
    private final long total;
    private final long intervalMillis;
    private final Thread thread;
    private long lastDone;
    private long lastTokens;
    private long lastNanos;

    private Progress(JobClient job, long total, Duration interval) {
        this.job = job;
        this.total = total;
        this.intervalMillis = interval.toMillis();
        this.thread = new Thread(this::loop, "backfill-progress");
        this.thread.setDaemon(true);
    }

    /** Starts logging the progress of {@code job} every {@code interval}. */
    public static Progress start(JobClient job, long total, Duration interval) {
        Progress p = new Progress(job, total, interval);
        p.lastNanos = System.nanoTime();
        p.thread.start();
        return p;
    }

    private void loop() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(intervalMillis);
                Map<String, Object> acc = job.getAccumulators().get();
                report(acc);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // the job ended between two polls: the final report follows
            LOG.debug("progress: {}", e.toString());
        }
    }

    private void report(Map<String, Object> acc) {
        long done = get(acc, COMPRESSED) + get(acc, FAILED) + get(acc, SKIPPED);
        long tokens = get(acc, TOKENS_IN);
        long now = System.nanoTime();
        double seconds = Math.max(1e-9, (now - lastNanos) / 1e9);
        if (done == lastDone && done > 0) {
            return; // no fresh heartbeat yet: the same numbers again would read as a stall
        }
        // Rates since the last line: a resumed run skips its first chunks quickly, which an average since the start
        // would count as throughput.
        double tokensPerSecond = (tokens - lastTokens) / seconds;
        double chunksPerSecond = (done - lastDone) / seconds;
        long eta = chunksPerSecond > 0 ? (long) Math.ceil(Math.max(0, total - done) / chunksPerSecond) : -1;
        lastNanos = now;
        lastDone = done;
        lastTokens = tokens;
        LOG.info(line(done, total, tokensPerSecond, eta));
    }

    static long get(Map<String, Object> acc, String name) {
        Object v = acc.get(name);
        return v instanceof Number ? ((Number) v).longValue() : 0;
    }

    /** The progress line. */
    public static String line(long done, long total, double tokensPerSecond, long etaSeconds) {
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
        thread.interrupt();
    }
}
