package io.flinkllmlingua.flink;

import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.async.AsyncRetryStrategy;
import org.apache.flink.streaming.util.retryable.AsyncRetryStrategies;

import java.io.Serializable;
import java.util.Collection;
import java.util.function.Predicate;
import java.util.concurrent.TimeUnit;

/** Adds the LLMLingua-2 compression operator to a stream of source records. */
public final class LlmLinguaOperator {
    /** Operator name and uid: keep the uid stable so that savepoints restore. */
    public static final String NAME = "llmlingua-compress";

    private LlmLinguaOperator() {}

    public static SingleOutputStreamOperator<ChunkOutcome> compress(DataStream<SourceRecord> input, LlmLinguaConfig config) {
        LlmLinguaCompressFunction function = new LlmLinguaCompressFunction(config);
        long timeoutMs = config.timeout().toMillis();
        SingleOutputStreamOperator<ChunkOutcome> out;
        if (config.retryMaxAttempts() > 0) {
            AsyncRetryStrategy<ChunkOutcome> retry =
                    new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<ChunkOutcome>(
                            config.retryMaxAttempts(), config.retryBackoff().toMillis())
                            .ifResult(new AnyRetryable())
                            .build();
            out = config.ordered()
                    ? AsyncDataStream.orderedWaitWithRetry(input, function, timeoutMs, TimeUnit.MILLISECONDS,
                            config.capacity(), retry)
                    : AsyncDataStream.unorderedWaitWithRetry(input, function, timeoutMs, TimeUnit.MILLISECONDS,
                            config.capacity(), retry);
        } else {
            out = config.ordered()
                    ? AsyncDataStream.orderedWait(input, function, timeoutMs, TimeUnit.MILLISECONDS, config.capacity())
                    : AsyncDataStream.unorderedWait(input, function, timeoutMs, TimeUnit.MILLISECONDS, config.capacity());
        }
        return out.name(NAME).uid(NAME);
    }

    /** Retries a record whose outcome is a retryable dead letter (an engine failure). Serializable for the job graph. */
    static final class AnyRetryable implements Predicate<Collection<ChunkOutcome>>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean test(Collection<ChunkOutcome> outcomes) {
            for (ChunkOutcome o : outcomes) {
                if (o.retryable) {
                    return true;
                }
            }
            return false;
        }
    }
}
