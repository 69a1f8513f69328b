package io.flinkllmlingua.flink;

import io.flinkllmlingua.flink.RecordCodec;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.concurrent.TimeUnit;

/**
 * The LLMLingua-2 compression operator on typed records: {@link #compress} turns a stream of {@link InputChunk}s
 * into a stream of {@link ChunkOutcome}s (a {@link CompressedChunk} or a {@link DeadLetter} each, never an
 * exception). {@link #decode} is the map step before it for JSON input bytes (Kafka, files), whose failures are
 * dead letters of the same schema; {@link #compressRecords} chains the two.
 */
public final class LlmLinguaOperator {
    /** Operator name and uid: keep the uid stable so that savepoints restore. */
    public static final String NAME = "llmlingua-compress";
    /** Name and uid of the decoding step. */
    public static final String DECODE_NAME = "llmlingua-decode";
    /** The side output of {@link #decode}: dead letters of the records that are not input chunks. */
    public static final OutputTag<ChunkOutcome> DECODE_FAILURES =
            new OutputTag<>("llmlingua-decode-failures", TypeInformation.of(ChunkOutcome.class));

    private LlmLinguaOperator() {}

    /** Compresses every chunk of {@code input}: one outcome per chunk. */
    public static SingleOutputStreamOperator<ChunkOutcome> compress(DataStream<InputChunk> input, LlmLinguaConfig config) {
        LlmLinguaCompressFunction function = new LlmLinguaCompressFunction(config);
        long timeoutMs = config.timeout().toMillis();
        // No AsyncRetryStrategy: the function retries inside the record's future (see LlmLinguaCompressFunction).
        SingleOutputStreamOperator<ChunkOutcome> out = config.ordered()
                ? AsyncDataStream.orderedWait(input, function, timeoutMs, TimeUnit.MILLISECONDS, config.capacity())
                : AsyncDataStream.unorderedWait(input, function, timeoutMs, TimeUnit.MILLISECONDS, config.capacity());
        return out.name(NAME).uid(NAME);
    }

    /**
     * Parses raw records (JSON values with their coordinates, key and headers) into input chunks that keep their
     * origin. Records that are not input chunks leave as dead letters on the side output {@link #DECODE_FAILURES}.
     */
    public static SingleOutputStreamOperator<InputChunk> decode(DataStream<SourceRecord> records) {
        return records.process(new Decode()).returns(InputChunk.class).name(DECODE_NAME).uid(DECODE_NAME);
    }

    /** {@link #decode} then {@link #compress}: every record's outcome, the decoding failures included. */
    public static DataStream<ChunkOutcome> compressRecords(DataStream<SourceRecord> records, LlmLinguaConfig config) {
        SingleOutputStreamOperator<InputChunk> chunks = decode(records);
        return compress(chunks, config).union(chunks.getSideOutput(DECODE_FAILURES));
    }

    /** The decoding step: failures become dead letters with the original bytes. */
    static final class Decode extends ProcessFunction<SourceRecord, InputChunk> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(SourceRecord r, Context ctx, Collector<InputChunk> out) {
            try {
                out.collect(RecordCodec.decode(r));
            } catch (ChunkRejectedException e) {
                ctx.output(DECODE_FAILURES, ChunkOutcome.deadLetter(
                        RecordCodec.deadLetter(r, null, e.errorClass(), e.getMessage(), 1), r));
            }
        }
    }

}
