package io.flinkllmlingua.jobs.streaming;

import io.flinkllmlingua.flink.ChunkOutcome;
import io.flinkllmlingua.flink.SourceRecord;
import io.flinkllmlingua.flink.RecordCodec;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * Writes compressed chunks to the output topic and dead letters to the dead-letter topic, through one sink, so
 * both commit in the same Kafka transaction: the records' JSON ({@link RecordCodec}), with the input's key,
 * headers and timestamp (from the outcome's origin). Dead letters get an {@code llmlingua.error} header with the
 * error class.
 */
public final class OutcomeSerializer implements KafkaRecordSerializationSchema<ChunkOutcome> {
    private static final long serialVersionUID = 1L;
    public static final String ERROR_HEADER = "llmlingua.error";

    private final String outputTopic;
    private final String deadLetterTopic;

    public OutcomeSerializer(String outputTopic, String deadLetterTopic) {
        this.outputTopic = outputTopic;
        this.deadLetterTopic = deadLetterTopic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(ChunkOutcome o, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        SourceRecord origin = o.origin;
        if (origin != null && origin.headerNames != null) {
            for (int i = 0; i < origin.headerNames.length; i++) {
                headers.add(new RecordHeader(origin.headerNames[i], origin.headerValues[i]));
            }
        }
        byte[] value;
        if (o.isDeadLetter()) {
            headers.add(new RecordHeader(ERROR_HEADER, o.errorClass().getBytes(StandardCharsets.UTF_8)));
            value = RecordCodec.encode(o.deadLetter);
        } else {
            value = RecordCodec.encode(o.compressed);
        }
        // The input's timestamp when it has one, else the time of writing (never the stream element's: a BATCH
        // backfill's timers emit at the end of time, which Kafka rejects).
        Long ts = origin != null && origin.timestamp > 0 ? Long.valueOf(origin.timestamp) : null;
        byte[] key = origin != null ? origin.key : null;
        return new ProducerRecord<>(o.isDeadLetter() ? deadLetterTopic : outputTopic, null, ts, key, value, headers);
    }
}
