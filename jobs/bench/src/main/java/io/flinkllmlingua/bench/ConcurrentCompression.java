package io.flinkllmlingua.bench;

import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.PromptCompressor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** Compresses every text once, each as its own call, from {@code callers} threads sharing one engine. */
final class ConcurrentCompression {
    /**
     * Per text: its result, the wall time of its {@code compress} call and when it returned (nanos since the start
     * of the run); and the wall time of all.
     */
    record Timed(CompressionResult[] results, double[] latencyMillis, long[] completedNanos, double seconds,
                 double cpuSeconds, Map<ThreadCpu.Role, Double> cpuByRole) {
        /** The run split at its first and last completed text (see {@link Phases}). */
        Phases phases() {
            int first = 0;
            int last = 0;
            long tokens = 0;
            for (int i = 0; i < results.length; i++) {
                tokens += results[i].originTokens();
                if (completedNanos[i] < completedNanos[first]) {
                    first = i;
                }
                if (completedNanos[i] > completedNanos[last]) {
                    last = i;
                }
            }
            if (results.length == 0) {
                return Phases.NONE;
            }
            return Phases.of(0, completedNanos[first], results[first].originTokens(), completedNanos[last], tokens,
                    (long) (seconds * 1e9), cpuSeconds, cpuByRole);
        }
    }

    private ConcurrentCompression() {}

    static Timed run(PromptCompressor engine, List<String> texts, CompressionOptions options, int callers)
            throws Exception {
        CompressionResult[] results = new CompressionResult[texts.size()];
        double[] latencies = new double[texts.size()];
        long[] completed = new long[texts.size()];
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        ThreadCpu.Window cpuByRole = new ThreadCpu.Window();
        double cpu0 = Phases.processCpuSeconds();
        long t0 = System.nanoTime();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                futures.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < texts.size()) {
                        long s = System.nanoTime();
                        results[i] = engine.compress(List.of(texts.get(i)), options);
                        long e = System.nanoTime();
                        latencies[i] = (e - s) / 1e6;
                        completed[i] = e - t0;
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            cpuByRole.update();
        } finally {
            pool.shutdown();
        }
        return new Timed(results, latencies, completed, (System.nanoTime() - t0) / 1e9,
                Phases.processCpuSeconds() - cpu0, cpuByRole.seconds());
    }
}
