package io.flinkllmlingua.flink.table.internal;

import io.flinkllmlingua.engine.BatchingStats;
import io.flinkllmlingua.flink.InputChunk;
import io.flinkllmlingua.flink.ChunkPolicy;
import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.flink.LlmLinguaOptions;
import io.flinkllmlingua.flink.internal.ChunkRuntime;
import io.flinkllmlingua.flink.table.InvalidInputPolicy;
import io.flinkllmlingua.flink.table.LlmLinguaSqlOptions;
import org.apache.flink.table.functions.FunctionContext;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The SQL function's and ML_PREDICT's view of the shared subtask runtime ({@link ChunkRuntime}): a row is an
 * {@link InputChunk} without ids, and the record policy's outcomes are rendered the SQL way: a passed-through
 * empty text follows {@code llmlingua.sql.empty-text} (the row as passed through, a null result, or no row); a
 * rejected row follows {@code llmlingua.sql.invalid-input} (a null result, logged and counted, or a failed row).
 */
public final class SqlCompressor implements AutoCloseable {
    private final SqlSettings settings;
    private final LlmLinguaConfig config;
    private final ChunkRuntime runtime;

    private SqlCompressor(SqlSettings settings, ChunkRuntime runtime) {
        this.settings = settings;
        this.config = settings.config();
        this.runtime = runtime;
    }

    /** Opens the engine of this subtask and registers the metrics (group {@code llmlingua}). */
    public static SqlCompressor open(SqlSettings settings, FunctionContext context) {
        ChunkRuntime runtime = ChunkRuntime.open(settings.config(), settings.name(),
                context.getTaskInfo().getIndexOfThisSubtask(), context::getExternalResourceInfos,
                context.getMetricGroup());
        return new SqlCompressor(settings, runtime);
    }

    /** Batching statistics of this subtask's engine. */
    public BatchingStats batchingStats() {
        return runtime.batchingStats();
    }

    /**
     * Compresses one row's text, with the row's rate when not null. The future completes with the outcome, or
     * exceptionally with {@link InvalidRowException} (invalid input under FAIL), a {@link TimeoutException} past
     * {@code llmlingua.async.timeout}, or the engine's failure.
     */
    public CompletableFuture<SqlOutcome> compress(String text, Double rate) {
        InputChunk row = new InputChunk(null, null, text, null, rate, null, null, null);
        long timeoutMs = config.timeout().toMillis();
        return runtime.compress(row)
                .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .handle((result, error) -> {
                    if (error != null) {
                        Throwable cause = ChunkRuntime.unwrap(error);
                        if (cause instanceof TimeoutException) {
                            cause = new TimeoutException(settings.name() + ": no result within " + config.timeout()
                                    + " (" + LlmLinguaOptions.TIMEOUT.key() + ")");
                        }
                        return CompletableFuture.<SqlOutcome>failedFuture(cause);
                    }
                    if (result instanceof ChunkPolicy.Compressed c) {
                        return CompletableFuture.completedFuture(c.empty() ? empty(c) : new SqlOutcome(
                                SqlOutcome.Kind.COMPRESSED, c.chunk()));
                    }
                    return invalid((ChunkPolicy.Rejected) result);
                })
                .thenCompose(f -> f);
    }

    private SqlOutcome empty(ChunkPolicy.Compressed c) {
        switch (settings.emptyText()) {
            case NULL_RESULT:
                return SqlOutcome.NULL;
            case SKIP_ROW:
                return SqlOutcome.SKIPPED;
            default:
                return new SqlOutcome(SqlOutcome.Kind.PASSED_THROUGH, c.chunk());
        }
    }

    private CompletableFuture<SqlOutcome> invalid(ChunkPolicy.Rejected r) {
        if (settings.invalidInput() == InvalidInputPolicy.FAIL) {
            return CompletableFuture.failedFuture(new InvalidRowException(settings.name() + ": " + r.message()
                    + " [" + r.errorClass() + "] (" + LlmLinguaSqlOptions.INVALID_INPUT.key() + " = FAIL)"));
        }
        return CompletableFuture.completedFuture(SqlOutcome.NULL);
    }

    @Override
    public void close() throws Exception {
        runtime.close();
    }
}
