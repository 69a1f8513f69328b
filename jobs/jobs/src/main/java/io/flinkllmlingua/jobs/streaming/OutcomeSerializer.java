package io.flinkllmlingua.jobs.streaming;

import io.flinkllmlingua.flink.ChunkOutcome;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes compressed chunks to the output topic and dead letters to the dead-letter topic, through one sink, so
 * both commit in the same Kafka transaction. Keys and headers of the input are kept; dead letters get an
 * {@code llmlingua.error} header with the error class.
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
        for (int i = 0; i < o.headerNames.length; i++) {
            headers.add(new RecordHeader(o.headerNames[i], o.headerValues[i]));
        }
        if (o.deadLetter) {
            headers.add(new RecordHeader(ERROR_HEADER, o.errorClass.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        Long ts = o.timestamp > 0 ? o.timestamp : timestamp;
        return new ProducerRecord<>(o.deadLetter ? deadLetterTopic : outputTopic, null, ts, o.key, o.value, headers);
    }
}
