package io.flinkllmlingua.bench;

import io.flinkllmlingua.engine.BatchPlan;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.ModelBatch;
import io.flinkllmlingua.engine.ModelSession;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The model-only ceilings: ONNX Runtime forward passes alone, on fresh sessions with the engine's settings (as many
 * as its batch plan has, running calls concurrently as its workers do), over the
 * exact sequences the engine scored in its measured run. Nothing else runs: no tokenization, no selection, no
 * counting. The time per call includes building the input tensors and the two-class softmax, as the engine's model
 * call does.
 *
 * <ul>
 *   <li>{@link #replay} (path 1) runs the engine's own model calls in order (same padding and batch composition), so
 *       engine over it isolates everything that is not the model;</li>
 *   <li>{@link #bestPlan} (path 6) runs the same sequences in the fastest plan known for the provider, with
 *       knowledge no online batcher has (every sequence in advance): on CPU one sequence per call at its exact length,
 *       on a GPU all sequences sorted by length in calls of {@value #GPU_ROWS} padded to their longest. Engine over it
 *       is the ratio against the best ONNX Runtime can do here, not against our own plan.</li>
 * </ul>
 */
public final class ModelOnlyCeiling {
    /** Rows per call of the GPU best plan: twice the engine's GPU default, every call padded only to its longest. */
    static final int GPU_ROWS = 2 * BatchPlan.GPU.maxSequences();

    private ModelOnlyCeiling() {}

    /**
     * Path 1: the engine's model calls replayed in order, on a fresh session.
     *
     * @param chunks chunks the engine compressed with these batches (throughput is per the same chunks)
     * @param tokens cl100k tokens of those chunks
     */
    public static PathResult replay(String model, EngineConfig config, List<ModelBatch> batches, int chunks,
                                    long tokens, int warmupBatches) {
        try (Warm session = open(model, config, config.executionProvider(), warmupBatches)) {
            return session.replay(batches, chunks, tokens);
        }
    }

    /** Path 6: the same sequences in the provider's best plan (see the class comment), on a fresh session. */
    public static PathResult bestPlan(String model, EngineConfig config, ExecutionProvider provider,
                                      List<ModelBatch> batches, int chunks, long tokens, int warmupBatches) {
        try (Warm session = open(model, config, provider, warmupBatches)) {
            return session.bestPlan(batches, chunks, tokens);
        }
    }

    /**
     * Opens a session with the engine's settings, kept open across measurements (the suite alternates rounds of
     * paths 2 and 6); it warms up on the first {@code warmupBatches} calls of the first measurement.
     */
    public static Warm open(String model, EngineConfig config, ExecutionProvider provider, int warmupBatches) {
        return new Warm(model, ModelSession.open(config), provider, warmupBatches);
    }

    /** An open session and the two plans it measures. */
    public static final class Warm implements AutoCloseable {
        private final String model;
        private final ModelSession session;
        private final ExecutionProvider provider;
        private final int warmupBatches;
        private boolean warm;

        private Warm(String model, ModelSession session, ExecutionProvider provider, int warmupBatches) {
            this.model = model;
            this.session = session;
            this.provider = provider;
            this.warmupBatches = warmupBatches;
        }

        /** How many sessions time the calls (concurrently). */
        public int sessions() {
            return session.sessions();
        }

        /** Path 1: the engine's model calls replayed in order (same padding and batch composition). */
        public PathResult replay(List<ModelBatch> batches, int chunks, long tokens) {
            if (batches.isEmpty()) {
                return PathResult.skipped(BenchPath.MODEL_ONLY, model, "the engine made no model call to replay");
            }
            return time(BenchPath.MODEL_ONLY, batches, chunks, tokens,
                    batches.size() + " model calls replayed; latency = the call that scored the chunk's sequence");
        }

        /** Path 6: the same sequences in the provider's best plan. */
        public PathResult bestPlan(List<ModelBatch> batches, int chunks, long tokens) {
            if (batches.isEmpty()) {
                return PathResult.skipped(BenchPath.MODEL_BEST_PLAN, model, "the engine made no model call");
            }
            boolean gpu = provider == ExecutionProvider.CUDA || provider == ExecutionProvider.TENSORRT;
            List<ModelBatch> plan = sortedCalls(sequences(batches), gpu ? GPU_ROWS : 1);
            return time(BenchPath.MODEL_BEST_PLAN, plan, chunks, tokens,
                    plan.size() + " calls: " + (gpu ? "sequences sorted by length, " + GPU_ROWS
                            + " per call padded to their longest" : "one sequence per call at its exact length"));
        }

        private PathResult time(BenchPath path, List<ModelBatch> calls, int chunks, long tokens, String note) {
            int n = session.sessions();
            if (!warm) {
                // As long as an engine warms up, on at least warmupBatches calls, every session alike.
                List<ModelBatch> first = calls.subList(0, Math.min(Math.max(1, warmupBatches), calls.size()));
                EngineThroughput.warmUp(() -> runAll(first, new double[0]));
                warm = true;
            }
            PeakRss.reset();
            double[] callMillis = new double[calls.size()];
            long t0 = System.nanoTime();
            runAll(calls, callMillis);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long peak = PeakRss.peakBytes();
            List<Double> perSequence = new ArrayList<>();
            long sequences = 0;
            long real = 0;
            long padded = 0;
            for (int i = 0; i < calls.size(); i++) {
                ModelBatch b = calls.get(i);
                for (int r = 0; r < b.rows(); r++) {
                    perSequence.add(callMillis[i]);
                }
                sequences += b.rows();
                real += b.realTokens();
                padded += (long) b.rows() * b.length();
            }
            double[] lat = perSequence.stream().mapToDouble(Double::doubleValue).toArray();
            return new PathResult(path, model, chunks, tokens, seconds, LatencyStats.of(lat),
                    (double) sequences / calls.size(), padded == 0 ? 1 : (double) real / padded, peak,
                    note + (n > 1 ? ", on " + n + " concurrent sessions (the engine's)" : ""));
        }

        /** Runs {@code calls} on the session's concurrent calls ({@link #runConcurrently}). */
        private void runAll(List<ModelBatch> calls, double[] millis) {
            List<Consumer<ModelBatch>> lanes = new ArrayList<>();
            for (int k = 0; k < session.sessions(); k++) {
                int lane = k;
                lanes.add(b -> session.run(lane, b));
            }
            runConcurrently(calls, lanes, millis);
        }

        @Override
        public void close() {
            session.close();
        }
    }

    /**
     * Runs {@code calls}, each lane taking the next call as soon as its previous one returns, as the engine's
     * workers do, each lane on a thread of its own (a single lane on the caller's);
     * {@code millis[i]} gets call i's time where {@code millis} is that long.
     */
    static void runConcurrently(List<ModelBatch> calls, List<Consumer<ModelBatch>> lanes, double[] millis) {
        AtomicInteger next = new AtomicInteger();
        IntConsumer worker = k -> {
            for (int i; (i = next.getAndIncrement()) < calls.size(); ) {
                long s = System.nanoTime();
                lanes.get(k).accept(calls.get(i));
                if (i < millis.length) {
                    millis[i] = (System.nanoTime() - s) / 1e6;
                }
            }
        };
        if (lanes.size() == 1) {
            worker.accept(0);
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(lanes.size());
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int k = 0; k < lanes.size(); k++) {
                int lane = k;
                running.add(pool.submit(() -> worker.accept(lane)));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while timing the model", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdown();
        }
    }

    /** Every row of the recorded calls, cut to its real length (its last attended position). */
    static List<long[][]> sequences(List<ModelBatch> batches) {
        List<long[][]> out = new ArrayList<>();
        for (ModelBatch b : batches) {
            for (int r = 0; r < b.rows(); r++) {
                int off = r * b.length();
                int real = b.length();
                while (real > 0 && b.attentionMask()[off + real - 1] == 0) {
                    real--;
                }
                out.add(new long[][] {Arrays.copyOfRange(b.inputIds(), off, off + real),
                        Arrays.copyOfRange(b.attentionMask(), off, off + real)});
            }
        }
        return out;
    }

    /**
     * Calls of {@code rows} sequences each, padded to their longest with the id of the padding the engine used (any
     * id: masked out). With one row per call the engine's order is kept; with more, the longest go first.
     */
    static List<ModelBatch> sortedCalls(List<long[][]> sequences, int rows) {
        List<long[][]> order = new ArrayList<>(sequences);
        if (rows > 1) {
            order.sort(Comparator.comparingInt((long[][] s) -> s[0].length).reversed());
        }
        List<ModelBatch> calls = new ArrayList<>();
        for (int from = 0; from < order.size(); from += rows) {
            List<long[][]> group = order.subList(from, Math.min(order.size(), from + rows));
            int length = group.stream().mapToInt(s -> s[0].length).max().orElse(1);
            long[] ids = new long[group.size() * length];
            long[] mask = new long[group.size() * length];
            long real = 0;
            for (int i = 0; i < group.size(); i++) {
                System.arraycopy(group.get(i)[0], 0, ids, i * length, group.get(i)[0].length);
                System.arraycopy(group.get(i)[1], 0, mask, i * length, group.get(i)[1].length);
                real += group.get(i)[0].length;
            }
            calls.add(new ModelBatch(ids, mask, group.size(), length, real, 0));
        }
        return calls;
    }
}
