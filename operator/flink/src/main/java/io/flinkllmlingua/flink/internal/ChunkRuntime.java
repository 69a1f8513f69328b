package io.flinkllmlingua.flink.internal;

import io.flinkllmlingua.engine.BatchingStats;
import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.flink.ChunkPolicy;
import io.flinkllmlingua.flink.ChunkPolicy.Compressed;
import io.flinkllmlingua.flink.ChunkPolicy.Rejected;
import io.flinkllmlingua.flink.ChunkPolicy.Result;
import io.flinkllmlingua.engine.EngineClosedException;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.InvalidRequestException;
import io.flinkllmlingua.engine.PromptCompressor;
import io.flinkllmlingua.engine.Cl100kCounter;
import io.flinkllmlingua.flink.ChunkRejectedException;
import io.flinkllmlingua.flink.CompressedChunk;
import io.flinkllmlingua.flink.InputChunk;
import io.flinkllmlingua.flink.LlmLinguaConfig;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The subtask runtime shared by the DataStream operator ({@code LlmLinguaCompressFunction}) and the SQL function
 * and ML_PREDICT functions: one engine per subtask (ONNX Runtime session on the subtask's GPU, else CPU) whose
 * micro-batcher batches the chunks in flight, its worker pool, the metrics (group {@code llmlingua}), the logging
 * of rejected records, and the one record policy of every path ({@link ChunkPolicy}): an empty text is passed
 * through ({@link Compressed#empty()}), a chunk the policy or the engine refuses is {@link Rejected} with an error
 * class, and engine failures complete the future exceptionally (the DataStream operator retries them, SQL fails
 * the row).
 * How each path renders a rejection (a dead letter, a null SQL row, an error line) is the caller's.
 *
 * <p>Close contract: {@link #close()} may run while chunks are in flight (a cancelled or failing task). It closes
 * the engine first, which cancels the running model call and frees native memory only once nothing uses it
 * ({@link PromptCompressor#close()}), then lets the worker pool run out its queue, so every future it handed out
 * completes: normally, or with {@link EngineClosedException}, which callers that are shutting down drop (the record
 * is in the last checkpoint's state). Chunks arriving after close fail the same way.
 */
public final class ChunkRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkRuntime.class);
    /** Rejected records logged one by one before the log thins out to one in {@value}. */
    private static final int LOG_EVERY = 1000;

    private final LlmLinguaConfig config;
    private final String name;
    private final PromptCompressor engine;
    private final ExecutorService workers;
    private final Cl100kCounter counter = new Cl100kCounter();
    private final ChunkPolicy policy;
    private final AtomicLong rejectedSeen = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile BatchingStats finalStats;
    private volatile boolean closed;

    private Counter recordsIn;
    private Counter recordsCompressed;
    private Counter recordsEmpty;
    private Counter recordsInvalid;
    private Counter recordsFailed;
    private Counter originalTokens;
    private Counter compressedTokens;
    private Histogram ratio;
    private Histogram latencyMillis;
    private Histogram inferenceMillis;

    private ChunkRuntime(LlmLinguaConfig config, String name, PromptCompressor engine, ExecutorService workers) {
        this.config = config;
        this.policy = ChunkPolicy.of(config);
        this.name = name;
        this.engine = engine;
        this.workers = workers;
    }

    /**
     * Opens the engine of a subtask and registers the metrics in {@code metrics.addGroup("llmlingua")}.
     *
     * @param name               the operator, function or model, for logs and messages
     * @param externalResources  {@code RuntimeContext::getExternalResourceInfos} or the FunctionContext's
     */
    public static ChunkRuntime open(LlmLinguaConfig config, String name, int subtask,
                                    Function<String, Set<ExternalResourceInfo>> externalResources,
                                    MetricGroup metrics) {
        return open(config, name, subtask, externalResources, metrics, 0, 0);
    }

    /**
     * As {@link #open(LlmLinguaConfig, String, int, Function, MetricGroup)}, in a TaskManager of {@code slots} task
     * slots, for an operator of {@code parallelism} subtasks: with {@code llmlingua.threads} 0, the engine's ONNX
     * Runtime threads are the cores divided among the engines that can share the TaskManager
     * ({@link SubtaskEngines#intraOpThreads}); {@code slots} 0 when unknown (ONNX Runtime's default then).
     */
    public static ChunkRuntime open(LlmLinguaConfig config, String name, int subtask,
                                    Function<String, Set<ExternalResourceInfo>> externalResources,
                                    MetricGroup metrics, int slots, int parallelism) {
        int device = SubtaskEngines.chooseDevice(externalResources, config, subtask);
        EngineConfig.Builder builder = config.engine().toBuilder().deviceId(device);
        if (slots > 0) {
            builder.intraOpThreads(SubtaskEngines.intraOpThreads(config, slots, parallelism));
        }
        EngineConfig engineConfig = builder.build();
        long t0 = System.nanoTime();
        PromptCompressor engine = PromptCompressor.open(engineConfig);
        ExecutionProvider provider = engine.provider();
        int sessions = engine.batchPlan().sessions();
        int threads = engineConfig.threadsPerSession(engine.batchPlan());
        LOG.info("{}: subtask {} opened LLMLingua-2 model '{}' ({}) on {}{}, {} session(s) of {} ONNX Runtime threads, "
                        + "in {} ms", name, subtask, config.modelId(), engine.family(), provider,
                provider == ExecutionProvider.CPU ? "" : " device " + device, sessions,
                threads == 0 ? "default" : String.valueOf(threads), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        ChunkRuntime r = new ChunkRuntime(config, name, engine,
                SubtaskEngines.workerPool("llmlingua-worker-" + subtask + "-"));
        r.registerMetrics(metrics.addGroup("llmlingua"));
        return r;
    }

    private void registerMetrics(MetricGroup g) {
        // Most are updated from the engine's completion threads: Flink's default counter would lose increments.
        recordsIn = g.counter("recordsIn", new ThreadSafeSimpleCounter());
        recordsCompressed = g.counter("recordsCompressed", new ThreadSafeSimpleCounter());
        recordsEmpty = g.counter("recordsEmpty", new ThreadSafeSimpleCounter());
        recordsInvalid = g.counter("recordsInvalid", new ThreadSafeSimpleCounter());
        recordsFailed = g.counter("recordsFailed", new ThreadSafeSimpleCounter());
        originalTokens = g.counter("originalTokens", new ThreadSafeSimpleCounter());
        compressedTokens = g.counter("compressedTokens", new ThreadSafeSimpleCounter());
        ratio = g.histogram("compressionRatio", new DescriptiveStatisticsHistogram(1000));
        latencyMillis = g.histogram("latencyMs", new DescriptiveStatisticsHistogram(1000));
        inferenceMillis = g.histogram("inferenceMs", new DescriptiveStatisticsHistogram(1000));
        g.gauge("batchSizeMean", () -> batchingStats().meanBatchSize());
        g.gauge("paddingEfficiency", () -> batchingStats().paddingEfficiency());
        g.gauge("modelBatches", () -> batchingStats().batches());
        g.gauge("queueDepth", () -> batchingStats().queuedSequences());
        g.gauge("inFlight", inFlight::get);
        g.gauge("provider", () -> String.valueOf(engine.provider()));
    }

    /** Engine statistics; after close the last ones, since reporters may still read the gauges. */
    public BatchingStats batchingStats() {
        return closed && finalStats != null ? finalStats : engine.batchingStats();
    }

    public LlmLinguaConfig config() {
        return config;
    }

    /**
     * Applies the policy to one chunk and compresses it. The future completes with a {@link Result}, or
     * exceptionally (unwrapped) with the engine's failure; it never fails for bad input.
     */
    public CompletableFuture<Result> compress(InputChunk chunk) {
        recordsIn.inc();
        if (ChunkPolicy.isEmpty(chunk)) {
            recordsEmpty.inc();
            return CompletableFuture.completedFuture(new Compressed(policy.passThrough(chunk, counter), true));
        }
        CompressionOptions options;
        try {
            options = policy.checkAndResolve(chunk);
        } catch (ChunkRejectedException e) {
            return CompletableFuture.completedFuture(rejected(e.errorClass(), e.getMessage()));
        }
        long t0 = System.nanoTime();
        CompletableFuture<CompressionResult> running;
        try {
            running = engine.compressAsync(List.of(chunk.text()), options, workers);
        } catch (RejectedExecutionException e) {
            running = CompletableFuture.failedFuture(new EngineClosedException(name + " is closed"));
        }
        inFlight.incrementAndGet();
        return running.handle((r, error) -> {
            inFlight.decrementAndGet();
            if (error == null) {
                return (Result) new Compressed(compressed(chunk, options, r, t0), false);
            }
            Throwable cause = unwrap(error);
            if (cause instanceof InvalidRequestException ire) {
                return rejected(ChunkPolicy.errorClass(ire), cause.getMessage());
            }
            recordsFailed.inc();
            throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
        });
    }

    /** The engine's failure behind a future's error. */
    public static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private Rejected rejected(String errorClass, String message) {
        recordsInvalid.inc();
        long n = rejectedSeen.incrementAndGet();
        if (n <= 10 || n % LOG_EVERY == 0) {
            LOG.warn("{}: record not compressed, {}: {} ({} such records so far)", name, errorClass, message, n);
        }
        return new Rejected(errorClass, message);
    }

    private CompressedChunk compressed(InputChunk chunk, CompressionOptions options, CompressionResult r, long t0) {
        recordsCompressed.inc();
        originalTokens.inc(r.originTokens());
        compressedTokens.inc(r.compressedTokens());
        CompressedChunk out = policy.compressed(chunk, options, r);
        // The histograms are not thread-safe; completions of one subtask contend only briefly here.
        synchronized (ratio) {
            if (out.ratio() != null) {
                ratio.update(Math.round(out.ratio() * 100)); // hundredths: Flink histograms hold longs
            }
            latencyMillis.update(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            inferenceMillis.update(TimeUnit.NANOSECONDS.toMillis(r.timings().inferenceNanos()));
        }
        return out;
    }

    /**
     * The {@code content_hash} the runtime writes for {@code chunk}, or null when the policy rejects it (it is then
     * never in a target).
     */
    public static String contentHash(InputChunk chunk, LlmLinguaConfig config) {
        return ChunkPolicy.of(config).contentHash(chunk);
    }

    @Override
    public void close() throws Exception {
        BatchingStats s = engine.batchingStats();
        finalStats = s;
        closed = true;
        LOG.info("{}: closing LLMLingua-2 engine: {} model calls, mean batch {}, padding efficiency {}", name,
                s.batches(), String.format("%.2f", s.meanBatchSize()), String.format("%.2f", s.paddingEfficiency()));
        try {
            engine.close();
        } finally {
            // shutdown(), not shutdownNow(): queued stages still run (and fail at once on the closed engine), so no
            // future is left incomplete.
            workers.shutdown();
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("{}: worker threads still busy 30 s after the engine closed", name);
            }
        }
    }
}
