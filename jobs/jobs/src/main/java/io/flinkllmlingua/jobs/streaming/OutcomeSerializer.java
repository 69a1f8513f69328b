package io.flinkllmlingua.jobs.streaming;

import io.flinkllmlingua.flink.ChunkOutcome;
import io.flinkllmlingua.flink.DeadLetter;
import io.flinkllmlingua.flink.RecordCodec;
import io.flinkllmlingua.flink.RecordSizeLimit;
import io.flinkllmlingua.flink.SourceRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Properties;

/**
 * Writes compressed chunks to the output topic and dead letters to the dead-letter topic, through one sink, so
 * both commit in the same Kafka transaction: the records' JSON ({@link RecordCodec}), with the input's key,
 * headers and timestamp (from the outcome's origin). Dead letters get an {@code llmlingua.error} header with the
 * error class.
 *
 * <p>Size policy ({@link RecordSizeLimit}): no record larger than the producer's {@code max.request.size} (as Kafka's
 * producer measures it) reaches the producer, which would fail the job on it at every restart. A compressed chunk
 * too large becomes an {@code OutputTooLarge} dead letter, a record that cannot be serialised a
 * {@code SerializationFailure} one, and a dead letter too large keeps a prefix of its original value
 * ({@code value_truncated}, with the whole value's {@code value_bytes} and {@code value_sha256}).
 */
public final class OutcomeSerializer implements KafkaRecordSerializationSchema<ChunkOutcome> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OutcomeSerializer.class);
    public static final String ERROR_HEADER = "llmlingua.error";

    private final String outputTopic;
    private final String deadLetterTopic;
    private final int maxRecordBytes;
    private transient Counter recordsTooLarge;
    private transient Counter deadLettersTruncated;

    /**
     * @param maxRecordBytes the largest record the sink's producer accepts ({@link #maxRequestSize(Properties)})
     */
    public OutcomeSerializer(String outputTopic, String deadLetterTopic, int maxRecordBytes) {
        if (maxRecordBytes < RecordSizeLimit.MIN_LIMIT_BYTES) {
            throw new IllegalArgumentException("kafka.max.request.size must be at least " + RecordSizeLimit.MIN_LIMIT_BYTES
                    + " bytes, got " + maxRecordBytes);
        }
        this.outputTopic = outputTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** The producer's {@code max.request.size}: the user's {@code kafka.max.request.size}, else Kafka's default. */
    public static int maxRequestSize(Properties producer) {
        Object v = producer.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (v == null) {
            return (Integer) ProducerConfig.configDef().defaultValues().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        }
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("kafka.max.request.size must be a number of bytes, got '" + v + "'");
        }
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        if (recordsTooLarge != null) {
            return; // the sink opens its serializer more than once per writer; one registration per subtask
        }
        recordsTooLarge = context.getMetricGroup().addGroup("llmlingua").counter("sinkRecordsTooLarge");
        deadLettersTruncated = context.getMetricGroup().addGroup("llmlingua").counter("deadLettersTruncated");
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(ChunkOutcome o, KafkaSinkContext context, Long timestamp) {
        SourceRecord origin = o.origin;
        if (!o.isDeadLetter()) {
            byte[] value;
            try {
                value = RecordCodec.encode(o.compressed);
            } catch (RuntimeException e) {
                return deadLetter(origin, RecordCodec.deadLetter(origin, null, "SerializationFailure",
                        "compressed chunk could not be serialised: " + e.getMessage(), 1));
            }
            ProducerRecord<byte[], byte[]> r = record(outputTopic, origin, value, true, null);
            int size = sizeOf(r);
            if (size <= maxRecordBytes) {
                return r;
            }
            count(recordsTooLarge);
            return deadLetter(origin, RecordCodec.deadLetter(origin, null, "OutputTooLarge", "compressed record of "
                    + size + " bytes exceeds the sink's max.request.size of " + maxRecordBytes + " bytes", 1));
        }
        return deadLetter(origin, o.deadLetter);
    }

    private ProducerRecord<byte[], byte[]> deadLetter(SourceRecord origin, DeadLetter d) {
        DeadLetter written = d;
        byte[] value;
        try {
            value = RecordCodec.encode(d);
        } catch (RuntimeException e) {
            // cannot happen for the codec's own record type; never let it restart the job
            written = RecordCodec.deadLetter(origin, null, "SerializationFailure", "dead letter could not be serialised: "
                    + e.getMessage(), d.error().attempts());
            value = RecordCodec.encode(written);
        }
        ProducerRecord<byte[], byte[]> r = record(deadLetterTopic, origin, value, true, written.errorClass());
        if (sizeOf(r) <= maxRecordBytes) {
            return r;
        }
        DeadLetter original = written;
        Optional<DeadLetter> fitted = RecordSizeLimit.fit(written, maxRecordBytes, x -> sizeOf(record(deadLetterTopic,
                origin, RecordCodec.encode(x), keepsKafkaKeyAndHeaders(x, original), x.errorClass())));
        if (fitted.isEmpty()) {
            throw new IllegalStateException("a dead letter of " + original.errorClass() + " cannot fit in "
                    + maxRecordBytes + " bytes (kafka.max.request.size) even without its value, key and headers");
        }
        DeadLetter f = fitted.get();
        count(deadLettersTruncated);
        LOG.warn("dead letter {} of {}/{} truncated to fit max.request.size {}: kept {} of {} value bytes (sha256 {})",
                f.errorClass(), f.docId(), f.chunkId(), maxRecordBytes, f.valueAsBytes() == null ? 0 : f.valueAsBytes().length,
                f.valueBytes(), f.valueSha256());
        return record(deadLetterTopic, origin, RecordCodec.encode(f), keepsKafkaKeyAndHeaders(f, original), f.errorClass());
    }

    /** A dead letter that dropped its key and headers to fit drops them from the Kafka record as well. */
    private static boolean keepsKafkaKeyAndHeaders(DeadLetter fitted, DeadLetter original) {
        return fitted.key() == original.key() && fitted.headers() == original.headers();
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, SourceRecord origin, byte[] value,
                                                         boolean keyAndHeaders, String errorClass) {
        RecordHeaders headers = new RecordHeaders();
        if (keyAndHeaders && origin != null && origin.headerNames != null) {
            for (int i = 0; i < origin.headerNames.length; i++) {
                headers.add(new RecordHeader(origin.headerNames[i], origin.headerValues[i]));
            }
        }
        if (errorClass != null) {
            headers.add(new RecordHeader(ERROR_HEADER, errorClass.getBytes(StandardCharsets.UTF_8)));
        }
        // The input's timestamp when it has one, else the time of writing (never the stream element's: a BATCH
        // backfill's timers emit at the end of time, which Kafka rejects).
        Long ts = origin != null && origin.timestamp > 0 ? Long.valueOf(origin.timestamp) : null;
        byte[] key = keyAndHeaders && origin != null ? origin.key : null;
        return new ProducerRecord<>(topic, null, ts, key, value, headers);
    }

    /** The size Kafka's producer checks against {@code max.request.size} (its own upper-bound estimate). */
    static int sizeOf(ProducerRecord<byte[], byte[]> r) {
        Header[] headers = r.headers().toArray();
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                r.key(), r.value(), headers);
    }

    private static void count(Counter c) {
        if (c != null) {
            c.inc();
        }
    }
}
