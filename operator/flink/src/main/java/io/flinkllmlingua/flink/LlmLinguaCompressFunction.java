package io.flinkllmlingua.flink;

import io.flinkllmlingua.engine.EngineClosedException;
import io.flinkllmlingua.flink.internal.ChunkRuntime;
import io.flinkllmlingua.flink.RecordCodec;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Compresses input chunks with LLMLingua-2. Each parallel subtask opens its own engine ({@link ChunkRuntime}: ONNX
 * Runtime session on the subtask's GPU when it has one, else CPU; with {@code llmlingua.threads} 0, the
 * TaskManager's cores divided among its slots as ONNX Runtime threads); concurrent chunks of the subtask are
 * micro-batched by the engine. Chunks the policy rejects become dead letters at once. Engine failures are retried
 * here, inside the record's own future ({@code llmlingua.retry.max-attempts} times, {@code llmlingua.retry.backoff}
 * apart), and become dead letters when retries run out. Timeouts ({@code llmlingua.async.timeout}, retries included)
 * are dead letters too: a record never fails the job.
 *
 * <p>Why retries are not Flink's {@code AsyncRetryStrategy}: its handler hands every result to the task's mailbox,
 * and a result that reaches the mailbox just before a stop-with-savepoint quiesces it runs while the mailbox drains
 * and enqueues the record's completion, which the quiesced mailbox refuses ({@code RejectedExecutionException ...
 * QUIESCED}) and the task fails. Here a record completes exactly once, from this function's threads, straight into
 * the operator's result handler; a completion the operator refuses because its task is ending is dropped, since the
 * record is in the in-flight state of the checkpoint or savepoint the task ends with and is replayed on restore (as
 * are records whose engine was closed under them).
 */
public class LlmLinguaCompressFunction extends RichAsyncFunction<InputChunk, ChunkOutcome> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LlmLinguaCompressFunction.class);

    private final LlmLinguaConfig config;

    private transient ChunkRuntime runtime;
    private transient Counter recordsDeadLettered;
    private transient ScheduledThreadPoolExecutor retryTimer;
    /** The records in flight, by the operator's result future: a timeout ends the record's retries. */
    private transient Map<ResultFuture<ChunkOutcome>, InFlight> inFlight;
    private transient volatile boolean closing;
    /** The TaskManager's task slots; 0 when unknown. */
    private transient int slots;

    public LlmLinguaCompressFunction(LlmLinguaConfig config) {
        this.config = config;
    }

    /** One record between its first attempt and its completion. */
    private static final class InFlight {
        final InputChunk in;
        final ResultFuture<ChunkOutcome> result;
        int attempts;

        InFlight(InputChunk in, ResultFuture<ChunkOutcome> result) {
            this.in = in;
            this.result = result;
        }
    }

    /**
     * Notes the TaskManager's slot count before {@link RichAsyncFunction} wraps the context (the wrapper does not
     * expose the TaskManager): the subtask's engine threads are the cores divided among the engines that can share it.
     */
    @Override
    public void setRuntimeContext(RuntimeContext context) {
        if (context instanceof StreamingRuntimeContext streaming) {
            slots = streaming.getTaskManagerRuntimeInfo().getConfiguration().get(TaskManagerOptions.NUM_TASK_SLOTS);
        }
        super.setRuntimeContext(context);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        runtime = ChunkRuntime.open(config, LlmLinguaOperator.NAME, subtask,
                getRuntimeContext()::getExternalResourceInfos, getRuntimeContext().getMetricGroup(), slots,
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks());
        recordsDeadLettered = getRuntimeContext().getMetricGroup().addGroup("llmlingua")
                .counter("recordsDeadLettered", new ThreadSafeSimpleCounter());
        inFlight = new ConcurrentHashMap<>();
        retryTimer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "llmlingua-retry-" + subtask);
            t.setDaemon(true);
            return t;
        });
        retryTimer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public void asyncInvoke(InputChunk in, ResultFuture<ChunkOutcome> result) {
        InFlight record = new InFlight(in, result);
        inFlight.put(result, record);
        attempt(record);
    }

    private void attempt(InFlight record) {
        if (closing || inFlight.get(record.result) != record) {
            return; // timed out, or the task is ending
        }
        record.attempts++;
        runtime.compress(record.in).whenComplete((r, error) -> {
            if (error != null) {
                failed(record, ChunkRuntime.unwrap(error));
            } else if (r instanceof ChunkPolicy.Compressed c) {
                complete(record, ChunkOutcome.compressed(c.chunk(), record.in.origin()));
            } else {
                ChunkPolicy.Rejected rejected = (ChunkPolicy.Rejected) r;
                recordsDeadLettered.inc();
                complete(record, ChunkOutcome.deadLetter(RecordCodec.deadLetter(record.in.origin(), record.in,
                        rejected.errorClass(), rejected.message(), record.attempts), record.in.origin()));
            }
        });
    }

    private void failed(InFlight record, Throwable cause) {
        InputChunk in = record.in;
        if (closing || cause instanceof EngineClosedException) {
            LOG.debug("Compression of {}/{} stopped by the engine's close: {}", in.docId(), in.chunkId(), cause.toString());
            return; // the task is ending; the record is replayed from the last checkpoint
        }
        if (record.attempts <= config.retryMaxAttempts()) {
            LOG.warn("Compression of {}/{} failed (attempt {} of {}), retrying in {}: {}", in.docId(), in.chunkId(),
                    record.attempts, 1 + config.retryMaxAttempts(), config.retryBackoff(), cause.toString());
            try {
                retryTimer.schedule(() -> attempt(record), config.retryBackoff().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                LOG.debug("Retry of {}/{} not scheduled: the task is ending", in.docId(), in.chunkId());
            }
            return;
        }
        LOG.warn("Compression of {}/{} failed after {} attempts: {}", in.docId(), in.chunkId(), record.attempts,
                cause.toString());
        recordsDeadLettered.inc();
        complete(record, ChunkOutcome.deadLetter(RecordCodec.deadLetter(in.origin(), in, "EngineFailure",
                String.valueOf(cause), record.attempts), in.origin()));
    }

    /** Completes the record once: not after its timeout, nor after the operator's task began to end. */
    private void complete(InFlight record, ChunkOutcome outcome) {
        if (!inFlight.remove(record.result, record)) {
            return;
        }
        try {
            record.result.complete(Collections.singletonList(outcome));
        } catch (RejectedExecutionException e) {
            // The task's mailbox is quiesced (stop-with-savepoint, cancellation): the record is in the in-flight
            // state the task ends with and is compressed again after restore.
            LOG.debug("Result of {}/{} not taken, the task is ending: {}", record.in.docId(), record.in.chunkId(),
                    e.getMessage());
        }
    }

    @Override
    public void timeout(InputChunk in, ResultFuture<ChunkOutcome> result) {
        InFlight record = inFlight.remove(result);
        if (record == null) {
            return; // completed just now
        }
        recordsDeadLettered.inc();
        LOG.warn("Compression of {}/{} timed out after {}", in.docId(), in.chunkId(), config.timeout());
        result.complete(Collections.singletonList(ChunkOutcome.deadLetter(RecordCodec.deadLetter(in.origin(), in,
                "Timeout", "no result within " + config.timeout() + " (" + LlmLinguaOptions.TIMEOUT.key() + ")",
                record.attempts), in.origin())));
    }

    @Override
    public void close() throws Exception {
        closing = true;
        try {
            if (retryTimer != null) {
                retryTimer.shutdownNow(); // pending retries are dropped with their records (replayed on restore)
            }
        } finally {
            if (runtime != null) {
                runtime.close();
                runtime = null;
            }
            if (inFlight != null) {
                inFlight.clear();
            }
        }
    }
}
