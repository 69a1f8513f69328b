package io.flinkllmlingua.engine;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the engine loads and runs a model: model directory, execution provider, threads and micro-batching.
 * Serializable so that a Flink job can ship it to its tasks; each task opens its own {@link PromptCompressor}.
 *
 * <p>The builder's defaults are the product's, on every path (the {@code llmlingua.*} options declare theirs from
 * them), and {@link Builder#build()} is the one place their values are validated.
 */
public final class EngineConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Most model sessions (concurrent model calls) of one engine. */
    public static final int MAX_SESSIONS = 64;

    /** Graph optimisation levels of ONNX Runtime. */
    public enum OptimizationLevel { NONE, BASIC, EXTENDED, ALL }

    private final String modelDir;
    private final String modelFile;
    private final ModelFamily family;
    private final ExecutionProvider executionProvider;
    private final int deviceId;
    private final int intraOpThreads;
    private final int interOpThreads;
    private final int sessions;
    private final OptimizationLevel optimizationLevel;
    private final int maxBatchSequences;
    private final int maxBatchTokens;
    private final Duration maxBatchWait;
    private final int lengthBucket;
    private final boolean padToMaxLength;
    private final double minPaddingEfficiency;
    private final String modelId;

    private EngineConfig(Builder b) {
        this.modelDir = b.modelDir;
        this.modelFile = b.modelFile;
        this.family = b.family;
        this.executionProvider = b.executionProvider;
        this.deviceId = b.deviceId;
        this.intraOpThreads = b.intraOpThreads;
        this.interOpThreads = b.interOpThreads;
        this.sessions = b.sessions;
        this.optimizationLevel = b.optimizationLevel;
        this.maxBatchSequences = b.maxBatchSequences;
        this.maxBatchTokens = b.maxBatchTokens;
        this.maxBatchWait = b.maxBatchWait;
        this.lengthBucket = b.lengthBucket;
        this.padToMaxLength = b.padToMaxLength;
        this.minPaddingEfficiency = b.minPaddingEfficiency;
        this.modelId = b.modelId;
    }

    public static Builder builder(Path modelDir) {
        return new Builder(modelDir.toString());
    }

    public static Builder builder(String modelDir) {
        return new Builder(modelDir);
    }

    public Builder toBuilder() {
        Builder b = new Builder(modelDir);
        b.modelFile = modelFile;
        b.family = family;
        b.executionProvider = executionProvider;
        b.deviceId = deviceId;
        b.intraOpThreads = intraOpThreads;
        b.interOpThreads = interOpThreads;
        b.sessions = sessions;
        b.optimizationLevel = optimizationLevel;
        b.maxBatchSequences = maxBatchSequences;
        b.maxBatchTokens = maxBatchTokens;
        b.maxBatchWait = maxBatchWait;
        b.lengthBucket = lengthBucket;
        b.padToMaxLength = padToMaxLength;
        b.minPaddingEfficiency = minPaddingEfficiency;
        b.modelId = modelId;
        return b;
    }

    public Path modelDir() { return Path.of(modelDir); }
    /** ONNX file name inside the model directory (default {@code model.onnx}). */
    public String modelFile() { return modelFile; }
    /** Family override, or null to detect it from tokenizer.json. */
    public ModelFamily family() { return family; }
    public ExecutionProvider executionProvider() { return executionProvider; }
    public int deviceId() { return deviceId; }
    /**
     * ONNX Runtime intra-op threads of the engine, divided among its sessions ({@link #threadsPerSession}); 0: one
     * per core (a single session then keeps ONNX Runtime's own default).
     */
    public int intraOpThreads() { return intraOpThreads; }
    public int interOpThreads() { return interOpThreads; }
    /**
     * Model sessions that run calls concurrently, or 0 (the default) for the provider's plan ({@link BatchPlan}),
     * capped by the thread budget. {@link #batchPlan} gives the value in effect, {@link #threadsPerSession} each
     * session's share of the threads. On CPU, sessions of one thread are one shared ONNX Runtime session, with one
     * copy of the weights, for every engine in the JVM that opens the same model file with the same settings.
     */
    public int sessions() { return sessions; }
    public OptimizationLevel optimizationLevel() { return optimizationLevel; }
    /**
     * Most sequences (chunks) in one model call, or 0 (the default) for the provider's plan ({@link BatchPlan}); the
     * reference uses 50. {@link #batchPlan} gives the value in effect.
     */
    public int maxBatchSequences() { return maxBatchSequences; }
    /** Most padded positions (sequences x padded length) in one model call. */
    public int maxBatchTokens() { return maxBatchTokens; }
    /** How long the batcher waits for more callers before running a partial batch. */
    public Duration maxBatchWait() { return maxBatchWait; }
    /**
     * Padded lengths are rounded up to a multiple of this (fewer distinct shapes), or 0 (the default) for the
     * provider's plan ({@link BatchPlan}). {@link #batchPlan} gives the value in effect.
     */
    public int lengthBucket() { return lengthBucket; }

    /** The batching in effect on {@code resolved}: the provider's {@link BatchPlan} with this config's overrides. */
    public BatchPlan batchPlan(ExecutionProvider resolved) {
        BatchPlan defaults = BatchPlan.forProvider(resolved);
        return new BatchPlan(maxBatchSequences > 0 ? maxBatchSequences : defaults.maxSequences(),
                lengthBucket > 0 ? lengthBucket : defaults.lengthBucket(),
                sessions > 0 ? sessions : Math.min(defaults.sessions(), threadBudget()));
    }

    /**
     * ONNX Runtime intra-op threads of each of {@code plan}'s sessions: the budget ({@link #intraOpThreads}, or one
     * per core when 0) divided among them, at least one; 0 (ONNX Runtime's default) for a single session when no
     * count is set.
     */
    public int threadsPerSession(BatchPlan plan) {
        if (plan.sessions() == 1 && intraOpThreads == 0) {
            return 0;
        }
        return Math.max(1, threadBudget() / plan.sessions());
    }

    private int threadBudget() {
        return intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors();
    }
    /** Pad every sequence to 512 as the reference does (bit-parity of float noise; slower). */
    public boolean padToMaxLength() { return padToMaxLength; }
    /** A model call stops taking shorter sequences before its real/padded token ratio falls below this. */
    public double minPaddingEfficiency() { return minPaddingEfficiency; }
    /** A label for results and metrics; defaults to the model directory's name. */
    public String modelId() { return modelId != null ? modelId : Path.of(modelDir).getFileName().toString(); }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof EngineConfig)) return false;
        EngineConfig c = (EngineConfig) o;
        return deviceId == c.deviceId && intraOpThreads == c.intraOpThreads && interOpThreads == c.interOpThreads
                && sessions == c.sessions
                && maxBatchSequences == c.maxBatchSequences && maxBatchTokens == c.maxBatchTokens
                && maxBatchWait.equals(c.maxBatchWait) && lengthBucket == c.lengthBucket
                && padToMaxLength == c.padToMaxLength && minPaddingEfficiency == c.minPaddingEfficiency && modelDir.equals(c.modelDir)
                && modelFile.equals(c.modelFile) && family == c.family
                && executionProvider == c.executionProvider && optimizationLevel == c.optimizationLevel
                && Objects.equals(modelId, c.modelId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelDir, modelFile, family, executionProvider, deviceId, intraOpThreads,
                interOpThreads, sessions, optimizationLevel, maxBatchSequences, maxBatchTokens, maxBatchWait,
                lengthBucket, padToMaxLength, minPaddingEfficiency, modelId);
    }

    @Override
    public String toString() {
        return "EngineConfig{modelDir=" + modelDir + ", modelFile=" + modelFile + ", family=" + family
                + ", provider=" + executionProvider + ", deviceId=" + deviceId + ", intraOpThreads=" + intraOpThreads
                + ", sessions=" + sessions
                + ", maxBatchSequences=" + maxBatchSequences + ", maxBatchTokens=" + maxBatchTokens
                + ", maxBatchWait=" + maxBatchWait + ", lengthBucket=" + lengthBucket
                + ", padToMaxLength=" + padToMaxLength + ", minPaddingEfficiency=" + minPaddingEfficiency + "}";
    }

    public static final class Builder {
        private final String modelDir;
        private String modelFile = "model.onnx";
        private ModelFamily family;
        private ExecutionProvider executionProvider = ExecutionProvider.AUTO;
        private int deviceId = 0;
        private int intraOpThreads = 0;
        private int interOpThreads = 1;
        /** 0: the provider's ({@link BatchPlan}). */
        private int sessions = 0;
        private OptimizationLevel optimizationLevel = OptimizationLevel.ALL;
        /** 0: the provider's ({@link BatchPlan}). */
        private int maxBatchSequences = 0;
        private int maxBatchTokens = 16384;
        private Duration maxBatchWait = Duration.ofMillis(2);
        /** 0: the provider's ({@link BatchPlan}). */
        private int lengthBucket = 0;
        private boolean padToMaxLength = false;
        private double minPaddingEfficiency = 0.8;
        private String modelId;

        private Builder(String modelDir) {
            this.modelDir = Objects.requireNonNull(modelDir, "modelDir");
        }

        public Builder modelFile(String v) { this.modelFile = Objects.requireNonNull(v); return this; }
        public Builder family(ModelFamily v) { this.family = v; return this; }
        public Builder executionProvider(ExecutionProvider v) { this.executionProvider = Objects.requireNonNull(v); return this; }
        public Builder deviceId(int v) { this.deviceId = v; return this; }
        public Builder intraOpThreads(int v) { this.intraOpThreads = v; return this; }
        public Builder interOpThreads(int v) { this.interOpThreads = v; return this; }
        /** Model sessions running calls concurrently (0: the provider's plan). */
        public Builder sessions(int v) { this.sessions = v; return this; }
        public Builder optimizationLevel(OptimizationLevel v) { this.optimizationLevel = Objects.requireNonNull(v); return this; }
        public Builder maxBatchSequences(int v) { this.maxBatchSequences = v; return this; }
        public Builder maxBatchTokens(int v) { this.maxBatchTokens = v; return this; }
        /** How long a partial batch waits for more callers (default 2 ms). */
        public Builder maxBatchWait(Duration v) { this.maxBatchWait = Objects.requireNonNull(v, "maxBatchWait"); return this; }
        public Builder lengthBucket(int v) { this.lengthBucket = v; return this; }
        public Builder padToMaxLength(boolean v) { this.padToMaxLength = v; return this; }
        public Builder minPaddingEfficiency(double v) { this.minPaddingEfficiency = v; return this; }
        public Builder modelId(String v) { this.modelId = v; return this; }

        public EngineConfig build() {
            if (maxBatchSequences < 0) throw new IllegalArgumentException("maxBatchSequences must be >= 1, or 0 for the provider's plan");
            if (maxBatchTokens < 512) throw new IllegalArgumentException("maxBatchTokens must be >= 512 (one full sequence)");
            if (maxBatchWait.isNegative()) throw new IllegalArgumentException("maxBatchWait must be >= 0, got " + maxBatchWait);
            if (lengthBucket < 0 || lengthBucket > 512) throw new IllegalArgumentException("lengthBucket must be in [1, 512], or 0 for the provider's plan");
            if (!(minPaddingEfficiency >= 0 && minPaddingEfficiency <= 1)) throw new IllegalArgumentException("minPaddingEfficiency must be in [0, 1]");
            if (deviceId < 0) throw new IllegalArgumentException("deviceId must be >= 0");
            if (intraOpThreads < 0 || interOpThreads < 0) throw new IllegalArgumentException("thread counts must be >= 0");
            if (sessions < 0 || sessions > MAX_SESSIONS) throw new IllegalArgumentException("sessions must be in [1, " + MAX_SESSIONS + "], or 0 for the provider's plan");
            return new EngineConfig(this);
        }
    }
}
