package io.flinkllmlingua.jobs.backfill.internal;

import io.flinkllmlingua.flink.ChunkOutcome;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;

/**
 * Counts the backfill's outcomes on their way to the sinks, for the progress line and the report (accumulators,
 * see {@link Progress}) and as metrics (group {@code backfill}: {@code chunksCompressed}, {@code chunksFailed},
 * {@code tokensIn}, {@code tokensOut}, {@code tokensInPerSecond}, {@code chunksTotal}; the skip step adds
 * {@code chunksSkipped}). The outcomes pass unchanged: compressed chunks already carry {@code content_hash} and
 * dead letters their ids, as on every path.
 */
public final class OutputEnricher extends RichMapFunction<ChunkOutcome, ChunkOutcome> {
    private static final long serialVersionUID = 1L;

    private final long total;
    private transient LongCounter compressed;
    private transient LongCounter failed;
    private transient LongCounter tokensIn;
    private transient LongCounter tokensOut;
    private transient Counter compressedMetric;
    private transient Counter failedMetric;
    private transient Counter tokensInMetric;
    private transient Counter tokensOutMetric;

    /** {@code total}: the input records of the whole run (a gauge, for dashboards' percentages). */
    public OutputEnricher(long total) {
        this.total = total;
    }

    @Override
    public void open(OpenContext openContext) {
        compressed = getRuntimeContext().getLongCounter(Progress.COMPRESSED);
        failed = getRuntimeContext().getLongCounter(Progress.FAILED);
        tokensIn = getRuntimeContext().getLongCounter(Progress.TOKENS_IN);
        tokensOut = getRuntimeContext().getLongCounter(Progress.TOKENS_OUT);
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("backfill");
        compressedMetric = g.counter("chunksCompressed");
        failedMetric = g.counter("chunksFailed");
        tokensInMetric = g.counter("tokensIn");
        tokensOutMetric = g.counter("tokensOut");
        g.meter("tokensInPerSecond", new MeterView(tokensInMetric));
        g.gauge("chunksTotal", (Gauge<Long>) () -> total);
    }

    @Override
    public ChunkOutcome map(ChunkOutcome o) {
        if (o.isDeadLetter()) {
            failed.add(1);
            failedMetric.inc();
        } else {
            compressed.add(1);
            compressedMetric.inc();
            tokensIn.add((long) o.compressed.originalTokens());
            tokensOut.add((long) o.compressed.compressedTokens());
            tokensInMetric.inc(o.compressed.originalTokens());
            tokensOutMetric.inc(o.compressed.compressedTokens());
        }
        return o;
    }
}
