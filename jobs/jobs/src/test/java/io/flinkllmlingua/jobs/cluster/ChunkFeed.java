package io.flinkllmlingua.jobs.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.testkit.TestData;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes input chunks to a topic at a steady rate from a background thread, so that faults land in the middle of
 * a stream. The producer is idempotent (acks=all, retries until delivery), so a broker restart neither loses nor
 * duplicates input: every chunk id is in the input exactly once, and any duplicate in the output is the job's.
 */
final class ChunkFeed implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<byte[]> values;
    final List<String> ids;
    private final AtomicInteger sent = new AtomicInteger();
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private volatile Throwable error;
    private Thread thread;

    /** The corpus records (doc_id, chunk_id, text, metadata) with the chunk ids prefixed by {@code tag}. */
    ChunkFeed(String bootstrapServers, String topic, String tag, int limit) throws Exception {
        this.topic = topic;
        Path corpus = TestData.corpus("docs-en.jsonl");
        values = new ArrayList<>();
        ids = new ArrayList<>();
        for (String line : Files.readAllLines(corpus, StandardCharsets.UTF_8)) {
            if (line.isBlank() || values.size() >= limit) {
                continue;
            }
            ObjectNode n = (ObjectNode) JSON.readTree(line);
            String id = tag + ":" + n.path("chunk_id").asText();
            n.put("chunk_id", id);
            ids.add(id);
            values.add(JSON.writeValueAsBytes(n));
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("enable.idempotence", "true");
        p.put("acks", "all");
        p.put("delivery.timeout.ms", "300000");
        p.put("max.block.ms", "300000");
        p.put("linger.ms", "0");
        producer = new KafkaProducer<>(p);
    }

    int size() {
        return values.size();
    }

    int sent() {
        return sent.get();
    }

    /** Sends records {@code from} (inclusive) to {@code to} (exclusive), {@code perSecond} per second, in the background. */
    void start(int from, int to, int perSecond) {
        thread = new Thread(() -> {
            try {
                long start = System.nanoTime();
                for (int i = from; i < to; i++) {
                    long due = start + (long) ((i - from) * 1e9 / perSecond);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    producer.send(new ProducerRecord<>(topic, ids.get(i).getBytes(StandardCharsets.UTF_8), values.get(i)), (m, e) -> {
                        if (e != null) {
                            error = e;
                        }
                    });
                    sent.incrementAndGet();
                }
                producer.flush();
            } catch (Throwable t) {
                error = t;
            }
        }, "chunk-feed-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits until every record given to {@link #start} is acknowledged by the broker. */
    void awaitSent() throws Exception {
        thread.join(300_000);
        if (error != null) {
            throw new IllegalStateException("feeding " + topic + " failed", error);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
