package io.flinkllmlingua.bench;

import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.PromptCompressor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** Compresses every text once, each as its own call, from {@code callers} threads sharing one engine. */
final class ConcurrentCompression {
    /** Per text: its result and the wall time of its {@code compress} call; and the wall time of all. */
    record Timed(CompressionResult[] results, double[] latencyMillis, double seconds) {}

    private ConcurrentCompression() {}

    static Timed run(PromptCompressor engine, List<String> texts, CompressionOptions options, int callers)
            throws Exception {
        CompressionResult[] results = new CompressionResult[texts.size()];
        double[] latencies = new double[texts.size()];
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        long t0 = System.nanoTime();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                futures.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < texts.size()) {
                        long s = System.nanoTime();
                        results[i] = engine.compress(List.of(texts.get(i)), options);
                        latencies[i] = (System.nanoTime() - s) / 1e6;
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return new Timed(results, latencies, (System.nanoTime() - t0) / 1e9);
    }
}
