package io.flinkllmlingua.flink.table.internal;

import io.flinkllmlingua.engine.BatchingStats;
import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.InvalidRequestException;
import io.flinkllmlingua.engine.PromptCompressor;
import io.flinkllmlingua.engine.SpecialTokenPolicy;
import io.flinkllmlingua.engine.Cl100kCounter;
import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.flink.LlmLinguaOptions;
import io.flinkllmlingua.flink.internal.SubtaskEngines;
import io.flinkllmlingua.flink.table.InvalidInputPolicy;
import io.flinkllmlingua.flink.table.LlmLinguaSqlOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.functions.FunctionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The runtime shared by the SQL function and the ML_PREDICT function of one subtask: one engine (ONNX Runtime
 * session on the subtask's GPU, else CPU) whose micro-batcher batches the concurrent rows, and the row policies.
 */
public final class SqlCompressor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqlCompressor.class);
    /** Invalid rows logged one by one before the log thins out to one in {@value}. */
    private static final int LOG_EVERY = 1000;

    private final SqlSettings settings;
    private final LlmLinguaConfig config;
    private final PromptCompressor engine;
    private final ExecutorService workers;
    private final Cl100kCounter counter = new Cl100kCounter();
    private final AtomicLong invalidSeen = new AtomicLong();
    private Counter rowsIn;
    private Counter rowsCompressed;
    private Counter rowsEmpty;
    private Counter rowsInvalid;
    private Counter originalTokens;
    private Counter compressedTokens;

    private SqlCompressor(SqlSettings settings, PromptCompressor engine, ExecutorService workers) {
        this.settings = settings;
        this.config = settings.config();
        this.engine = engine;
        this.workers = workers;
    }

    /** Opens the engine of this subtask and registers the metrics (group {@code llmlingua}). */
    public static SqlCompressor open(SqlSettings settings, FunctionContext context) {
        LlmLinguaConfig config = settings.config();
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        int device = SubtaskEngines.chooseDevice(context::getExternalResourceInfos, config, subtask);
        EngineConfig engineConfig = config.engine().toBuilder().deviceId(device).build();
        long t0 = System.nanoTime();
        PromptCompressor engine = PromptCompressor.open(engineConfig);
        ExecutionProvider provider = engine.provider();
        LOG.info("{}: subtask {} opened LLMLingua-2 model '{}' ({}) on {}{} in {} ms", settings.name(), subtask,
                config.modelId(), engine.family(), provider, provider == ExecutionProvider.CPU ? "" : " device " + device,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        ExecutorService workers = SubtaskEngines.workerPool("llmlingua-sql-" + subtask + "-");
        SqlCompressor c = new SqlCompressor(settings, engine, workers);
        c.registerMetrics(context.getMetricGroup().addGroup("llmlingua"));
        return c;
    }

    private void registerMetrics(MetricGroup g) {
        rowsIn = g.counter("rowsIn");
        // Updated from the engine's completion threads as well as the task thread.
        rowsCompressed = g.counter("rowsCompressed", new ThreadSafeSimpleCounter());
        rowsEmpty = g.counter("rowsEmpty");
        rowsInvalid = g.counter("rowsInvalid", new ThreadSafeSimpleCounter());
        originalTokens = g.counter("originalTokens", new ThreadSafeSimpleCounter());
        compressedTokens = g.counter("compressedTokens", new ThreadSafeSimpleCounter());
        g.gauge("batchSizeMean", () -> stats().meanBatchSize());
        g.gauge("modelBatches", () -> stats().batches());
        g.gauge("paddingEfficiency", () -> stats().paddingEfficiency());
    }

    private BatchingStats stats() {
        return engine.batchingStats();
    }

    /** Batching statistics of this subtask's engine. */
    public BatchingStats batchingStats() {
        return stats();
    }

    /**
     * Compresses one row's text, with the row's rate when not null. The future completes with the outcome, or
     * exceptionally with {@link InvalidRowException} (invalid input under FAIL), a {@link TimeoutException} past
     * {@code llmlingua.async.timeout}, or the engine's failure.
     */
    public CompletableFuture<SqlOutcome> compress(String text, Double rate) {
        rowsIn.inc();
        if (text == null || text.isBlank()) {
            rowsEmpty.inc();
            return CompletableFuture.completedFuture(empty(text));
        }
        CompressionOptions options = config.defaults();
        if (rate != null) {
            double r = rate;
            if (!(r > 0 && r <= 1)) {
                return invalid("invalid rate " + rate + " (must be > 0 and <= 1)");
            }
            if (r != options.rate()) {
                options = options.toBuilder().rate(r).build();
            }
        }
        int bytes = text.length() <= config.maxTextBytes() / 3 ? -1 : text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > config.maxTextBytes()) {
            return invalid("text is " + bytes + " bytes, over the limit of " + config.maxTextBytes() + " ("
                    + LlmLinguaOptions.MAX_TEXT_BYTES.key() + ")");
        }
        long timeoutMs = config.timeout().toMillis();
        return engine.compressAsync(List.of(text), options, workers)
                .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .handle((result, error) -> {
                    if (error == null) {
                        return CompletableFuture.completedFuture(compressed(result));
                    }
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    if (cause instanceof InvalidRequestException) {
                        return invalid(cause.getMessage());
                    }
                    if (cause instanceof TimeoutException) {
                        cause = new TimeoutException(settings.name() + ": no result within " + config.timeout() + " ("
                                + LlmLinguaOptions.TIMEOUT.key() + ")");
                    }
                    return CompletableFuture.<SqlOutcome>failedFuture(cause);
                })
                .thenCompose(f -> f);
    }

    private SqlOutcome compressed(CompressionResult r) {
        rowsCompressed.inc();
        originalTokens.inc(r.originTokens());
        compressedTokens.inc(r.compressedTokens());
        double rate = r.originTokens() == 0 ? 1.0 : (double) r.compressedTokens() / r.originTokens();
        return new SqlOutcome(SqlOutcome.Kind.COMPRESSED, r.compressedPrompt(), r.originTokens(), r.compressedTokens(),
                r.ratio(), rate);
    }

    private SqlOutcome empty(String text) {
        switch (settings.emptyText()) {
            case NULL_RESULT:
                return SqlOutcome.NULL;
            case SKIP_ROW:
                return SqlOutcome.SKIPPED;
            default:
                int tokens = text == null ? 0 : counter.count(text, SpecialTokenPolicy.COUNT_AS_TEXT);
                return new SqlOutcome(SqlOutcome.Kind.PASSED_THROUGH, text, tokens, tokens, 1.0, 1.0);
        }
    }

    private CompletableFuture<SqlOutcome> invalid(String reason) {
        rowsInvalid.inc();
        String message = settings.name() + ": " + reason;
        if (settings.invalidInput() == InvalidInputPolicy.FAIL) {
            return CompletableFuture.failedFuture(new InvalidRowException(message + " ("
                    + LlmLinguaSqlOptions.INVALID_INPUT.key() + " = FAIL)"));
        }
        long n = invalidSeen.incrementAndGet();
        if (n <= 10 || n % LOG_EVERY == 0) {
            LOG.warn("{}; the result is null ({} = NULL_RESULT; {} such rows so far)", message,
                    LlmLinguaSqlOptions.INVALID_INPUT.key(), n);
        }
        return CompletableFuture.completedFuture(SqlOutcome.NULL);
    }

    @Override
    public void close() throws Exception {
        try {
            workers.shutdown();
            workers.awaitTermination(30, TimeUnit.SECONDS);
        } finally {
            BatchingStats s = engine.batchingStats();
            LOG.info("{}: closing LLMLingua-2 engine: {} model calls, mean batch {}, padding efficiency {}",
                    settings.name(), s.batches(), String.format("%.2f", s.meanBatchSize()),
                    String.format("%.2f", s.paddingEfficiency()));
            engine.close();
        }
    }
}
