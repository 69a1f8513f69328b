package io.flinkllmlingua.jobs.streaming;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkllmlingua.flink.ChunkOutcome;
import io.flinkllmlingua.flink.CompressedChunk;
import io.flinkllmlingua.flink.RecordCodec;
import io.flinkllmlingua.flink.SourceRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sink's size policy on single records: nothing over the producer's limit reaches the producer. */
class OutcomeSerializerTest {
    private static SourceRecord origin(byte[] value) {
        SourceRecord r = new SourceRecord();
        r.topic = "in";
        r.offset = 7;
        r.key = "key-1".getBytes(StandardCharsets.UTF_8);
        r.value = value;
        r.headerNames = new String[] {"trace-id"};
        r.headerValues = new byte[][] {"t-1".getBytes(StandardCharsets.UTF_8)};
        return r;
    }

    @Test
    void theLimitIsTheProducersMaxRequestSize() {
        assertEquals(1_048_576, OutcomeSerializer.maxRequestSize(new Properties()), "Kafka's default");
        Properties p = new Properties();
        p.setProperty("max.request.size", "5000000");
        assertEquals(5_000_000, OutcomeSerializer.maxRequestSize(p));
        p.setProperty("max.request.size", "lots");
        assertThrows(IllegalArgumentException.class, () -> OutcomeSerializer.maxRequestSize(p));
        assertThrows(IllegalArgumentException.class, () -> new OutcomeSerializer("out", "dlq", 100));
    }

    @Test
    void aDeadLetterOverTheLimitIsTruncatedToFitWithItsKeyAndHeaders() throws Exception {
        byte[] value = ("{\"doc_id\": \"d\", \"chunk_id\": \"c\", \"text\": \"" + "word ".repeat(10_000) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        SourceRecord origin = origin(value);
        ChunkOutcome o = ChunkOutcome.deadLetter(RecordCodec.deadLetter(origin, null, "Oversize", "too long", 1), origin);
        OutcomeSerializer serializer = new OutcomeSerializer("out", "dlq", 8192);
        ProducerRecord<byte[], byte[]> r = serializer.serialize(o, null, null);
        assertEquals("dlq", r.topic());
        assertTrue(OutcomeSerializer.sizeOf(r) <= 8192, "fits: " + OutcomeSerializer.sizeOf(r));
        assertEquals("key-1", new String(r.key(), StandardCharsets.UTF_8));
        assertEquals("t-1", new String(r.headers().lastHeader("trace-id").value(), StandardCharsets.UTF_8));
        assertEquals("Oversize", new String(r.headers().lastHeader(OutcomeSerializer.ERROR_HEADER).value(), StandardCharsets.UTF_8));
        JsonNode d = RecordCodec.mapper().readTree(r.value());
        assertTrue(d.get("value_truncated").asBoolean());
        assertEquals(value.length, d.get("value_bytes").asInt());
        assertEquals(RecordCodec.sha256(value), d.get("value_sha256").asText());
        assertTrue(new String(value, StandardCharsets.UTF_8).startsWith(d.get("value").asText()));
        assertTrue(d.get("value").asText().length() > 4000, "most of the room is the value's prefix");

        ProducerRecord<byte[], byte[]> roomy = new OutcomeSerializer("out", "dlq", 1 << 20).serialize(o, null, null);
        JsonNode whole = RecordCodec.mapper().readTree(roomy.value());
        assertEquals(false, whole.get("value_truncated").asBoolean(), "under the limit the value is whole");
        assertEquals(new String(value, StandardCharsets.UTF_8), whole.get("value").asText());
    }

    @Test
    void aCompressedChunkOverTheLimitBecomesAnOutputTooLargeDeadLetter() throws Exception {
        String text = "word ".repeat(4_000);
        byte[] value = ("{\"doc_id\": \"d\", \"chunk_id\": \"c\", \"text\": \"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
        SourceRecord origin = origin(value);
        CompressedChunk chunk = new CompressedChunk("d", "c", text, 4000, 4000, 1.0, 1.0, "m", "", "v", "ORIGINAL_SPANS",
                "0".repeat(64), null, null);
        OutcomeSerializer serializer = new OutcomeSerializer("out", "dlq", 8192);
        ProducerRecord<byte[], byte[]> r = serializer.serialize(ChunkOutcome.compressed(chunk, origin), null, null);
        assertEquals("dlq", r.topic());
        assertTrue(OutcomeSerializer.sizeOf(r) <= 8192);
        JsonNode d = RecordCodec.mapper().readTree(r.value());
        assertEquals("OutputTooLarge", d.path("error").path("class").asText());
        assertTrue(d.path("error").path("message").asText().contains("max.request.size of 8192"), d.toString());
        assertEquals("d", d.path("doc_id").asText());
        assertEquals(RecordCodec.sha256(value), d.get("value_sha256").asText());
        assertTrue(d.get("value_truncated").asBoolean());

        ProducerRecord<byte[], byte[]> fits = new OutcomeSerializer("out", "dlq", 1 << 20)
                .serialize(ChunkOutcome.compressed(chunk, origin), null, null);
        assertEquals("out", fits.topic());
    }
}
