package io.flinkllmlingua.flink;

import io.flinkllmlingua.flink.internal.ChunkRuntime;
import io.flinkllmlingua.flink.RecordCodec;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;

/**
 * Compresses input chunks with LLMLingua-2. Each parallel subtask opens its own engine ({@link ChunkRuntime}: ONNX
 * Runtime session on the subtask's GPU when it has one, else CPU); concurrent chunks of the subtask are
 * micro-batched by the engine. Chunks the policy rejects become dead letters at once; engine failures become
 * retryable dead letters, which the retry strategy of {@link LlmLinguaOperator} retries, and which are emitted as
 * dead letters when retries run out. Timeouts are dead letters too: a record never fails the job.
 */
public class LlmLinguaCompressFunction extends RichAsyncFunction<InputChunk, ChunkOutcome> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LlmLinguaCompressFunction.class);

    private final LlmLinguaConfig config;

    private transient ChunkRuntime runtime;
    private transient Counter recordsDeadLettered;

    public LlmLinguaCompressFunction(LlmLinguaConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        runtime = ChunkRuntime.open(config, LlmLinguaOperator.NAME, subtask,
                getRuntimeContext()::getExternalResourceInfos, getRuntimeContext().getMetricGroup());
        recordsDeadLettered = getRuntimeContext().getMetricGroup().addGroup("llmlingua")
                .counter("recordsDeadLettered", new ThreadSafeSimpleCounter());
    }

    @Override
    public void asyncInvoke(InputChunk in, ResultFuture<ChunkOutcome> result) {
        runtime.compress(in).whenComplete((r, error) -> {
            if (error != null) {
                Throwable cause = ChunkRuntime.unwrap(error);
                LOG.warn("Compression of {}/{} failed: {}", in.docId(), in.chunkId(), cause.toString());
                // Retryable: the retry strategy sees it; after the last attempt it is written as a dead letter.
                result.complete(Collections.singletonList(ChunkOutcome.deadLetter(RecordCodec.deadLetter(in.origin(),
                        in, "EngineFailure", String.valueOf(cause), 1 + config.retryMaxAttempts()), in.origin(), true)));
            } else if (r instanceof ChunkPolicy.Compressed c) {
                result.complete(Collections.singletonList(ChunkOutcome.compressed(c.chunk(), in.origin())));
            } else {
                ChunkPolicy.Rejected rejected = (ChunkPolicy.Rejected) r;
                recordsDeadLettered.inc();
                result.complete(Collections.singletonList(ChunkOutcome.deadLetter(RecordCodec.deadLetter(in.origin(),
                        in, rejected.errorClass(), rejected.message(), 1), in.origin(), false)));
            }
        });
    }

    @Override
    public void timeout(InputChunk in, ResultFuture<ChunkOutcome> result) {
        recordsDeadLettered.inc();
        LOG.warn("Compression of {}/{} timed out after {}", in.docId(), in.chunkId(), config.timeout());
        result.complete(Collections.singletonList(ChunkOutcome.deadLetter(RecordCodec.deadLetter(in.origin(), in,
                "Timeout", "no result within " + config.timeout() + " (" + LlmLinguaOptions.TIMEOUT.key() + ")",
                1 + config.retryMaxAttempts()), in.origin(), false)));
    }

    @Override
    public void close() throws Exception {
        if (runtime != null) {
            runtime.close();
            runtime = null;
        }
    }
}
