package io.flinkllmlingua.bench;

import io.flinkllmlingua.engine.BatchingStats;
import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.ModelBatch;
import io.flinkllmlingua.engine.PromptCompressor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Path 2 (and, with a naive configuration, path 4): the engine end to end, {@code callers} threads sharing one
 * engine, each compressing one chunk at a time, so the micro-batcher can batch across callers. Records the model
 * calls it made, for the model-only ceiling to replay.
 */
public final class EngineThroughput {

    /** What one run measured. */
    public record Run(PathResult result, List<ModelBatch> batches, long[] chunkTokens, StageTimes stages,
                      BatchingStats stats, ExecutionProvider provider) {}

    /**
     * Where the engine's time went, summed over chunks (CPU-seconds of callers, so with N callers they can add up
     * to more than the wall time), and the batcher's model time (wall time of the one batcher thread).
     */
    public record StageTimes(double preprocessSeconds, double inferenceWaitSeconds, double selectionSeconds,
                             double modelSeconds, double wallSeconds, int sessions) {}

    /** Least time an engine or a model-only session warms up before it is measured. */
    static final long WARM_UP_NANOS = 2_000_000_000L;

    /** One warm-up pass, repeated by {@link #warmUp}. */
    interface WarmUpPass<E extends Exception> {
        void run() throws E;
    }

    /**
     * Runs {@code pass} at least once and until {@link #WARM_UP_NANOS} have passed: on a small model a few texts take
     * a tenth of a second, and the first measured round then still ran the JIT's earlier tiers.
     */
    static <E extends Exception> void warmUp(WarmUpPass<E> pass) throws E {
        long until = System.nanoTime() + WARM_UP_NANOS;
        do {
            pass.run();
        } while (System.nanoTime() < until);
    }

    private EngineThroughput() {}

    /** Opens an engine on {@code config}, warms it up on a few chunks, then measures once. */
    public static Run measure(BenchPath path, String model, EngineConfig config, List<String> texts,
                              CompressionOptions options, int callers, int warmup) throws Exception {
        try (Warm engine = open(path, model, config, texts, options, callers, warmup)) {
            return engine.measure();
        }
    }

    /**
     * Opens an engine on {@code config} and warms it up on a few chunks; {@link Warm#measure()} then measures a run
     * over all of {@code texts}, as often as asked (the suite alternates rounds of paths 2 and 6 on warm engines).
     */
    public static Warm open(BenchPath path, String model, EngineConfig config, List<String> texts,
                            CompressionOptions options, int callers, int warmup) throws Exception {
        PromptCompressor engine = PromptCompressor.open(config);
        try {
            if (warmup > 0) {
                List<String> first = texts.subList(0, Math.min(warmup, texts.size()));
                warmUp(() -> run(engine, first, options, Math.min(callers, 2)));
            }
            return new Warm(engine, path, model, config, texts, options, callers);
        } catch (Exception | Error e) {
            engine.close();
            throw e;
        }
    }

    /** A warm engine and what it measures. */
    public static final class Warm implements AutoCloseable {
        private final PromptCompressor engine;
        private final BenchPath path;
        private final String model;
        private final EngineConfig config;
        private final List<String> texts;
        private final CompressionOptions options;
        private final int callers;

        private Warm(PromptCompressor engine, BenchPath path, String model, EngineConfig config, List<String> texts,
                     CompressionOptions options, int callers) {
            this.engine = engine;
            this.path = path;
            this.model = model;
            this.config = config;
            this.texts = texts;
            this.options = options;
            this.callers = callers;
        }

        /** Compresses every text once with the callers, recording the model calls. */
        public Run measure() throws Exception {
            return measure(options);
        }

        /** {@link #measure()} with other options on the same warm engine (the input-size sweep's render modes). */
        public Run measure(CompressionOptions options) throws Exception {
            PeakRss.reset();
            List<ModelBatch> batches = Collections.synchronizedList(new ArrayList<>());
            BatchingStats before = engine.batchingStats();
            engine.modelBatchListener(batches::add);
            Measured m;
            try {
                m = run(engine, texts, options, callers);
            } finally {
                engine.modelBatchListener(null);
            }
            long peak = PeakRss.peakBytes();
            BatchingStats after = engine.batchingStats();
            BatchingStats delta = new BatchingStats(after.batches() - before.batches(),
                    after.sequences() - before.sequences(), after.realTokens() - before.realTokens(),
                    after.paddedTokens() - before.paddedTokens(), after.inferenceNanos() - before.inferenceNanos(), 0);
            long tokens = 0;
            for (long t : m.tokens) {
                tokens += t;
            }
            StageTimes stages = new StageTimes(m.preprocess / 1e9, m.inference / 1e9, m.selection / 1e9,
                    delta.inferenceNanos() / 1e9, m.seconds, engine.batchPlan().sessions());
            PathResult result = new PathResult(path, model, texts.size(), tokens, m.seconds,
                    LatencyStats.of(m.latencies), delta.meanBatchSize(), delta.paddingEfficiency(), peak,
                    callers + (callers == 1 ? " caller" : " concurrent callers") + ", "
                            + (config.padToMaxLength() ? config.batchPlan(engine.provider()).maxSequences()
                            + " per call, padded to 512" : engine.batchPlan().describe()))
                    .withPhases(m.phases);
            return new Run(result, List.copyOf(batches), m.tokens, stages, delta, engine.provider());
        }

        @Override
        public void close() {
            engine.close();
        }
    }

    private static final class Measured {
        double[] latencies;
        long[] tokens;
        double seconds;
        Phases phases;
        long preprocess;
        long inference;
        long selection;
    }

    private static Measured run(PromptCompressor engine, List<String> texts, CompressionOptions options, int callers)
            throws Exception {
        ConcurrentCompression.Timed t = ConcurrentCompression.run(engine, texts, options, callers);
        Measured m = new Measured();
        m.latencies = t.latencyMillis();
        m.seconds = t.seconds();
        m.phases = t.phases();
        m.tokens = new long[texts.size()];
        CompressionResult[] results = t.results();
        for (int i = 0; i < results.length; i++) {
            m.tokens[i] = results[i].originTokens();
            m.preprocess += results[i].timings().preprocessNanos();
            m.inference += results[i].timings().inferenceNanos();
            m.selection += results[i].timings().selectionNanos();
        }
        return m;
    }
}
