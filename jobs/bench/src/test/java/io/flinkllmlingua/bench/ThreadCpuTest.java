package io.flinkllmlingua.bench;

import io.flinkllmlingua.bench.ThreadCpu.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ThreadCpuTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "llmlingua-batcher-1 | MODEL",
        "llmlingua-worker-2-1 | ENGINE",
        "pool-3-thread-1 | ENGINE",
        "data-plane-kafka-request-handler-0 | BROKER",
        "kafka-1-raft-io-thread | BROKER",
        "quorum-controller-1-event-handler | BROKER",
        "kafka-producer-network-thread : producer-bench-3-0-1 | JOB",
        "kafka: bench-out-3 + bench-dlq-3: Writer -> Committer (1/2)#0 | JOB",
        "Source Data Fetcher for Source: kafka: bench-in-3 (1/2)#0 | JOB",
        "flink-pekko.actor.default-dispatcher-5 | JOB",
        "llmlingua-bench-progress | OTHER",
        "main | OTHER"})
    void threadNamesGetTheirRoles(String name, Role role) {
        assertEquals(role, Role.of(name));
    }

    @Test
    void aWindowCountsTheCpuOfAThreadThatEndedInsideItUnderItsRole() throws Exception {
        assumeTrue(ThreadCpu.available(), "needs a JVM that measures thread CPU time");
        ThreadCpu.Window window = new ThreadCpu.Window();
        AtomicLong burned = new AtomicLong();
        Thread model = new Thread(() -> burned.set(burnCpu(400_000_000L)), "llmlingua-batcher-test");
        model.start();
        while (model.isAlive()) {
            window.update();
            Thread.sleep(20);
        }
        Map<Role, Double> seconds = window.seconds();
        double model400ms = seconds.getOrDefault(Role.MODEL, 0.0);
        // The last sample was taken while the thread ran: up to 20 ms of it is not counted, and goes to the JVM's share.
        assertTrue(model400ms >= 0.3 && model400ms <= burned.get() / 1e9 + 1e-6,
                "model calls: " + model400ms + " s of " + burned.get() / 1e9 + " s burned");
        assertTrue(seconds.get(Role.JVM) >= 0, "the JVM's share is what the Java threads do not account for");
    }

    @Test
    void theDescriptionListsTheLargestRoleFirstWithItsShare() {
        Map<Role, Double> seconds = new EnumMap<>(Role.class);
        seconds.put(Role.JVM, 1.0);
        seconds.put(Role.MODEL, 3.0);
        seconds.put(Role.BROKER, 0.0);
        assertEquals("model calls 3.0 s (75 %), JVM (JIT compiler, GC) 1.0 s (25 %)", ThreadCpu.describe(seconds));
    }

    /** Spins until this thread has used {@code nanos} of CPU; returns what it used. */
    private static long burnCpu(long nanos) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long start = mx.getCurrentThreadCpuTime();
        long x = 0;
        while (mx.getCurrentThreadCpuTime() - start < nanos) {
            for (int i = 0; i < 100_000; i++) {
                x += i * 31L ^ x;
            }
        }
        return mx.getCurrentThreadCpuTime() - start + (x == 42 ? 1 : 0);
    }
}
