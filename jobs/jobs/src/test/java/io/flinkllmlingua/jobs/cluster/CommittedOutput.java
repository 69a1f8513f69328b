package io.flinkllmlingua.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.testkit.kafka.CommittedRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Follows what the job committed to its output and dead-letter topics, with a {@code read_committed} consumer in a
 * background thread that outlives broker restarts: counts per chunk id (duplicates show as counts above one) and
 * the times it grew (recovery time is measured from the first growth after a fault).
 */
final class CommittedOutput implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Integer> counts = new HashMap<>();
    private final AtomicLong records = new AtomicLong();
    /** {@link System#nanoTime()} of every poll that returned records, in order; guarded by itself. */
    private final List<Long> growthNanos = new ArrayList<>();
    private volatile boolean running = true;
    private volatile Throwable error;
    private final Thread thread;

    CommittedOutput(String bootstrapServers, String... topics) {
        thread = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> c = CommittedRecords.reader(bootstrapServers)) {
                CommittedRecords.assignFromBeginning(c, topics);
                while (running) {
                    var polled = c.poll(Duration.ofMillis(100));
                    if (!polled.isEmpty()) {
                        synchronized (growthNanos) {
                            growthNanos.add(System.nanoTime());
                        }
                    }
                    for (ConsumerRecord<byte[], byte[]> r : polled) {
                        JsonNode n = JSON.readTree(r.value());
                        String id = n.path("chunk_id").asText(null);
                        if (id == null) {
                            id = n.path("source").path("chunk_id").asText("?" + r.topic() + "@" + r.offset());
                        }
                        synchronized (counts) {
                            counts.merge(id, 1, Integer::sum);
                        }
                        records.incrementAndGet();
                    }
                }
            } catch (Throwable t) {
                error = t;
            }
        }, "committed-output");
        thread.setDaemon(true);
        thread.start();
    }

    long records() {
        check();
        return records.get();
    }

    /** When the output first grew after {@code nanos} ({@link System#nanoTime()}), or -1 if it has not. */
    long firstGrowthAfterNanos(long nanos) {
        synchronized (growthNanos) {
            for (long t : growthNanos) {
                if (t > nanos) {
                    return t;
                }
            }
            return -1;
        }
    }

    Map<String, Integer> counts() {
        check();
        synchronized (counts) {
            return new HashMap<>(counts);
        }
    }

    /** Waits until {@code n} records were committed or {@code timeout} passed; returns the count. */
    long awaitRecords(long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (records() < n && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return records();
    }

    /** Waits until the count stays the same for {@code quiet} (late duplicates would show up within it). */
    void awaitQuiet(Duration quiet) throws InterruptedException {
        long seen = -1;
        while (seen != records()) {
            seen = records();
            Thread.sleep(quiet.toMillis());
        }
    }

    private void check() {
        if (error != null) {
            throw new IllegalStateException("reading the committed output failed", error);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
