package io.flinkllmlingua.flink;

import io.flinkllmlingua.engine.BatchingStats;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.EngineVersion;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.InvalidRequestException;
import io.flinkllmlingua.engine.PromptCompressor;
import io.flinkllmlingua.flink.internal.ChunkCodec;
import io.flinkllmlingua.flink.internal.ChunkRequest;
import io.flinkllmlingua.flink.internal.SubtaskEngines;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compresses chunk records with LLMLingua-2. Each parallel subtask opens its own engine (ONNX Runtime session on
 * the subtask's GPU when it has one, else CPU); concurrent records of the subtask are micro-batched by the engine.
 * Bad input becomes a dead-letter outcome at once; engine failures become retryable dead-letter outcomes, which
 * the retry strategy of {@link LlmLinguaOperator} retries, and which are emitted as dead letters when retries run
 * out. Timeouts are dead letters too: a record never fails the job.
 */
public class LlmLinguaCompressFunction extends RichAsyncFunction<SourceRecord, ChunkOutcome> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LlmLinguaCompressFunction.class);

    private final LlmLinguaConfig config;

    private transient PromptCompressor engine;
    private transient ChunkCodec codec;
    private transient ExecutorService workers;
    private transient AtomicInteger inFlight;
    private transient Counter recordsIn;
    private transient Counter recordsCompressed;
    private transient Counter recordsDeadLettered;
    private transient Counter recordsFailed;
    private transient Counter originalTokens;
    private transient Counter compressedTokens;
    private transient Histogram ratio;
    private transient Histogram latencyMillis;
    private transient Histogram inferenceMillis;
    private transient volatile ExecutionProvider provider;
    private transient volatile BatchingStats finalStats;

    public LlmLinguaCompressFunction(LlmLinguaConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int device = SubtaskEngines.chooseDevice(getRuntimeContext()::getExternalResourceInfos, config, subtask);
        EngineConfig engineConfig = config.engine().toBuilder().deviceId(device).build();
        long t0 = System.nanoTime();
        engine = PromptCompressor.open(engineConfig);
        provider = engine.provider();
        LOG.info("Subtask {} opened LLMLingua-2 model '{}' ({}) on {}{} in {} ms", subtask, config.modelId(),
                engine.family(), provider, provider == ExecutionProvider.CPU ? "" : " device " + device,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        codec = new ChunkCodec(config.defaults(), config.maxTextBytes(), config.modelId(), config.modelRevision(),
                EngineVersion.get());
        workers = SubtaskEngines.workerPool("llmlingua-worker-" + subtask + "-");
        inFlight = new AtomicInteger();
        registerMetrics(getRuntimeContext().getMetricGroup().addGroup("llmlingua"));
    }

    private void registerMetrics(MetricGroup g) {
        recordsIn = g.counter("recordsIn");
        // Updated from the engine's completion threads, not the task thread: Flink's default counter would lose
        // concurrent increments.
        recordsCompressed = g.counter("recordsCompressed", new ThreadSafeSimpleCounter());
        recordsDeadLettered = g.counter("recordsDeadLettered", new ThreadSafeSimpleCounter());
        recordsFailed = g.counter("recordsFailed", new ThreadSafeSimpleCounter());
        originalTokens = g.counter("originalTokens", new ThreadSafeSimpleCounter());
        compressedTokens = g.counter("compressedTokens", new ThreadSafeSimpleCounter());
        ratio = g.histogram("compressionRatio", new DescriptiveStatisticsHistogram(1000));
        latencyMillis = g.histogram("latencyMs", new DescriptiveStatisticsHistogram(1000));
        inferenceMillis = g.histogram("inferenceMs", new DescriptiveStatisticsHistogram(1000));
        g.gauge("batchSizeMean", () -> stats().meanBatchSize());
        g.gauge("paddingEfficiency", () -> stats().paddingEfficiency());
        g.gauge("modelBatches", () -> stats().batches());
        g.gauge("queueDepth", () -> stats().queuedSequences());
        g.gauge("inFlight", () -> inFlight.get());
        g.gauge("provider", () -> String.valueOf(provider));
    }

    /** Engine statistics; after close the last ones, since reporters may still read the gauges. */
    private BatchingStats stats() {
        PromptCompressor e = engine;
        return e != null ? e.batchingStats() : (finalStats != null ? finalStats : new BatchingStats(0, 0, 0, 0, 0, 0));
    }

    @Override
    public void asyncInvoke(SourceRecord in, ResultFuture<ChunkOutcome> result) {
        recordsIn.inc();
        ChunkRequest req;
        try {
            req = codec.parse(in.value);
        } catch (ChunkRejectedException e) {
            deadLetter(in, e.errorClass(), e.getMessage(), false, result);
            return;
        }
        long t0 = System.nanoTime();
        inFlight.incrementAndGet();
        engine.compressAsync(List.of(req.text()), req.options(), workers).whenComplete((r, error) -> {
            inFlight.decrementAndGet();
            if (error == null) {
                complete(in, req, r, t0, result);
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof InvalidRequestException) {
                deadLetter(in, "InvalidRequest", cause.getMessage(), false, result);
            } else {
                recordsFailed.inc();
                LOG.warn("Compression of {} failed: {}", in, cause.toString());
                // Retryable: the retry strategy sees it; after the last attempt it is written as a dead letter.
                result.complete(Collections.singletonList(
                        codec.deadLetter(in, "EngineFailure", String.valueOf(cause), 1 + config.retryMaxAttempts(), true)));
            }
        });
    }

    private void complete(SourceRecord in, ChunkRequest req, CompressionResult r, long t0,
                          ResultFuture<ChunkOutcome> result) {
        ChunkOutcome out;
        try {
            out = codec.compressed(in, req, r);
        } catch (RuntimeException e) {
            deadLetter(in, "OutputFailure", e.toString(), false, result);
            return;
        }
        recordsCompressed.inc();
        originalTokens.inc(r.originTokens());
        compressedTokens.inc(r.compressedTokens());
        // The histograms are not thread-safe either; completions of one subtask contend only briefly here.
        synchronized (ratio) {
            ratio.update(Math.round(r.ratio() * 100)); // hundredths: Flink histograms hold longs
            latencyMillis.update(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            inferenceMillis.update(TimeUnit.NANOSECONDS.toMillis(r.timings().inferenceNanos()));
        }
        result.complete(Collections.singletonList(out));
    }

    private void deadLetter(SourceRecord in, String errorClass, String message, boolean retryable,
                            ResultFuture<ChunkOutcome> result) {
        recordsDeadLettered.inc();
        LOG.debug("Dead letter for {}: {} {}", in, errorClass, message);
        result.complete(Collections.singletonList(codec.deadLetter(in, errorClass, message, 1, retryable)));
    }

    @Override
    public void timeout(SourceRecord in, ResultFuture<ChunkOutcome> result) {
        recordsDeadLettered.inc();
        LOG.warn("Compression of {} timed out after {}", in, config.timeout());
        result.complete(Collections.singletonList(codec.deadLetter(in, "Timeout",
                "no result within " + config.timeout() + " (llmlingua.async.timeout)", 1 + config.retryMaxAttempts(),
                false)));
    }

    @Override
    public void close() throws Exception {
        try {
            if (workers != null) {
                workers.shutdown();
                workers.awaitTermination(30, TimeUnit.SECONDS);
            }
        } finally {
            if (engine != null) {
                BatchingStats s = engine.batchingStats();
                finalStats = s;
                LOG.info("Closing LLMLingua-2 engine: {} model calls, mean batch {}, padding efficiency {}",
                        s.batches(), String.format("%.2f", s.meanBatchSize()), String.format("%.2f", s.paddingEfficiency()));
                engine.close();
                engine = null;
            }
        }
    }
}
