package io.flinkllmlingua.flink.internal;

import io.flinkllmlingua.engine.BatchingStats;
import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.EngineVersion;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.InvalidRequestException;
import io.flinkllmlingua.engine.PromptCompressor;
import io.flinkllmlingua.engine.SpecialTokenPolicy;
import io.flinkllmlingua.engine.internal.TokenCounter;
import io.flinkllmlingua.flink.ChunkRejectedException;
import io.flinkllmlingua.flink.CompressedChunk;
import io.flinkllmlingua.flink.InputChunk;
import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.flink.LlmLinguaOptions;
import io.flinkllmlingua.flink.RecordSource;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The subtask runtime shared by the DataStream operator ({@code LlmLinguaCompressFunction}) and the SQL function
 * and ML_PREDICT functions: one engine per subtask (ONNX Runtime session on the subtask's GPU, else CPU) whose
 * micro-batcher batches the chunks in flight, its worker pool, the metrics (group {@code llmlingua}), and the one
 * record policy of every path (README, "Empty texts and records that cannot be compressed"):
 * <ul>
 *   <li>null, empty or whitespace-only text: passed through ({@link Compressed#empty()}): the text is its own
 *       result, both counts its token count, ratio 1, kept fraction 1;</li>
 *   <li>a per-record rate outside (0, 1], options the engine builder refuses, metadata that is not JSON, a text over
 *       {@code llmlingua.max-text-bytes}, a text the engine refuses (a special token such as
 *       {@code <|endoftext|>}): {@link Rejected} with an error class ({@code InvalidField}, {@code InvalidOptions},
 *       {@code Oversize}, {@code InvalidRequest});</li>
 *   <li>every word dropped: a compressed chunk with an empty text, 0 compressed tokens, kept fraction 0, ratio
 *       null;</li>
 *   <li>engine failures complete the future exceptionally (the DataStream operator retries them, SQL fails the
 *       row).</li>
 * </ul>
 * How each path renders a rejection (a dead letter, a null SQL row, an error line) is the caller's.
 */
public final class ChunkRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkRuntime.class);
    /** Rejected records logged one by one before the log thins out to one in {@value}. */
    private static final int LOG_EVERY = 1000;

    /** What the policy made of one chunk. */
    public sealed interface Result permits Compressed, Rejected {}

    /** A compressed (or, when {@code empty}, passed-through) chunk. */
    public record Compressed(CompressedChunk chunk, boolean empty) implements Result {}

    /** A chunk that cannot be compressed as it is, with a stable error class and a message. */
    public record Rejected(String errorClass, String message) implements Result {}

    private final LlmLinguaConfig config;
    private final String name;
    private final PromptCompressor engine;
    private final ExecutorService workers;
    private final TokenCounter counter = new TokenCounter();
    private final String engineVersion = EngineVersion.get();
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
        int device = SubtaskEngines.chooseDevice(externalResources, config, subtask);
        EngineConfig engineConfig = config.engine().toBuilder().deviceId(device).build();
        long t0 = System.nanoTime();
        PromptCompressor engine = PromptCompressor.open(engineConfig);
        ExecutionProvider provider = engine.provider();
        LOG.info("{}: subtask {} opened LLMLingua-2 model '{}' ({}) on {}{} in {} ms", name, subtask, config.modelId(),
                engine.family(), provider, provider == ExecutionProvider.CPU ? "" : " device " + device,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
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
        String text = chunk.text();
        if (text == null || text.isBlank()) {
            recordsEmpty.inc();
            return CompletableFuture.completedFuture(new Compressed(passThrough(chunk), true));
        }
        CompressionOptions options;
        try {
            check(chunk, config);
            options = resolve(config.defaults(), chunk);
        } catch (ChunkRejectedException e) {
            return CompletableFuture.completedFuture(rejected(e.errorClass(), e.getMessage()));
        }
        long t0 = System.nanoTime();
        inFlight.incrementAndGet();
        return engine.compressAsync(List.of(text), options, workers).handle((r, error) -> {
            inFlight.decrementAndGet();
            if (error == null) {
                return (Result) new Compressed(compressed(chunk, options, r, t0), false);
            }
            Throwable cause = unwrap(error);
            if (cause instanceof InvalidRequestException) {
                return rejected("InvalidRequest", cause.getMessage());
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
        Double ratioValue = CompressedChunk.ratio(r.originTokens(), r.compressedTokens());
        // The histograms are not thread-safe; completions of one subtask contend only briefly here.
        synchronized (ratio) {
            if (ratioValue != null) {
                ratio.update(Math.round(ratioValue * 100)); // hundredths: Flink histograms hold longs
            }
            latencyMillis.update(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            inferenceMillis.update(TimeUnit.NANOSECONDS.toMillis(r.timings().inferenceNanos()));
        }
        return new CompressedChunk(chunk.docId(), chunk.chunkId(), r.compressedPrompt(), r.originTokens(),
                r.compressedTokens(), ratioValue, CompressedChunk.keptFraction(r.originTokens(), r.compressedTokens()),
                config.modelId(), config.modelRevision(), engineVersion, options.renderMode().name(),
                ContentHash.of(chunk.text(), options, config.engine().padToMaxLength()),
                RecordSource.of(chunk.origin()), chunk.metadata());
    }

    private CompressedChunk passThrough(InputChunk chunk) {
        String text = chunk.text();
        int tokens = text == null ? 0 : counter.count(text, SpecialTokenPolicy.COUNT_AS_TEXT);
        CompressionOptions options;
        try {
            options = resolve(config.defaults(), chunk);
        } catch (ChunkRejectedException e) {
            options = config.defaults(); // overrides do not matter for a text that is passed through
        }
        return new CompressedChunk(chunk.docId(), chunk.chunkId(), text, tokens, tokens, 1.0, 1.0,
                config.modelId(), config.modelRevision(), engineVersion, options.renderMode().name(),
                ContentHash.of(text, options, config.engine().padToMaxLength()), RecordSource.of(chunk.origin()),
                chunk.metadata());
    }

    // ---- the policy, also used without an engine (the backfill's skip step)

    /** The checks that need no engine: rate domain, text size, metadata of chunks built in code. */
    public static void check(InputChunk chunk, LlmLinguaConfig config) throws ChunkRejectedException {
        if (chunk.rate() != null && !(chunk.rate() > 0 && chunk.rate() <= 1)) {
            throw new ChunkRejectedException("InvalidField", "invalid rate " + chunk.rate() + " (must be > 0 and <= 1)");
        }
        String text = chunk.text();
        int max = config.maxTextBytes();
        if (text.length() > max / 3) {
            int bytes = RecordCodec.utf8Length(text);
            if (bytes > max) {
                throw new ChunkRejectedException("Oversize", "text is " + bytes + " bytes, over the limit of " + max
                        + " (" + LlmLinguaOptions.MAX_TEXT_BYTES.key() + ")");
            }
        }
        if (chunk.origin() == null && chunk.metadata() != null) {
            try {
                RecordCodec.mapper().readTree(chunk.metadata());
            } catch (IOException e) {
                throw new ChunkRejectedException("InvalidField", "field 'metadata' is not JSON text");
            }
        }
    }

    /** The options for a chunk: {@code defaults} with the chunk's rate, target token and force tokens. */
    public static CompressionOptions resolve(CompressionOptions defaults, InputChunk chunk) throws ChunkRejectedException {
        if (chunk.rate() == null && chunk.targetToken() == null && chunk.forceTokens() == null) {
            return defaults;
        }
        CompressionOptions.Builder b = defaults.toBuilder();
        if (chunk.rate() != null) {
            b.rate(chunk.rate());
        }
        if (chunk.targetToken() != null) {
            b.targetToken(chunk.targetToken());
        }
        if (chunk.forceTokens() != null) {
            b.forceTokens(chunk.forceTokens());
        }
        try {
            return b.build();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ChunkRejectedException("InvalidOptions", e.getMessage());
        }
    }

    /**
     * The {@code content_hash} the runtime writes for {@code chunk}, or null when the policy rejects it (it is then
     * never in a target).
     */
    public static String contentHash(InputChunk chunk, LlmLinguaConfig config) {
        try {
            if (chunk.text() != null && !chunk.text().isBlank()) {
                check(chunk, config);
            }
            CompressionOptions options;
            try {
                options = resolve(config.defaults(), chunk);
            } catch (ChunkRejectedException e) {
                if (chunk.text() != null && !chunk.text().isBlank()) {
                    return null;
                }
                options = config.defaults();
            }
            return ContentHash.of(chunk.text(), options, config.engine().padToMaxLength());
        } catch (ChunkRejectedException e) {
            return null;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            workers.shutdown();
            workers.awaitTermination(30, TimeUnit.SECONDS);
        } finally {
            BatchingStats s = engine.batchingStats();
            finalStats = s;
            closed = true;
            LOG.info("{}: closing LLMLingua-2 engine: {} model calls, mean batch {}, padding efficiency {}", name,
                    s.batches(), String.format("%.2f", s.meanBatchSize()), String.format("%.2f", s.paddingEfficiency()));
            engine.close();
        }
    }
}
