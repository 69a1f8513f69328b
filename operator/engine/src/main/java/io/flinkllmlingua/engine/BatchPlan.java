package io.flinkllmlingua.engine;

/**
 * How many sequences one model call takes, to what multiple their padded length is rounded, and how many model
 * sessions run calls at the same time: the part of the batching that depends on where the model runs.
 * {@link EngineConfig} holds the user's overrides (0 = "the provider's"), {@link #forProvider} the provider defaults,
 * and {@link EngineConfig#batchPlan} merges the two once the provider is known (AUTO resolves only when the session
 * opens).
 *
 * <p>The defaults come from the benchmark suite's sweeps (src/docs/benchmarks/): on CPU, ONNX Runtime's kernels do
 * not get faster per token with more rows, while padding and the attention over padded positions cost real time, so
 * one sequence per call at its exact length is the fastest plan; on a GPU a call has a fixed launch cost and the
 * device is idle between calls, so large length-bucketed batches pay. On CPU two sessions, each on half the
 * threads, run two calls at once: a one-sequence call keeps a single core's kernels busier than it keeps two, and
 * the model is less idle while callers tokenize (the suite's path 6 times both session plans side by side). One GPU
 * is one device: one session feeds it.
 *
 * @param maxSequences most sequences per model call, >= 1
 * @param lengthBucket padded lengths are rounded up to a multiple of this, in [1, 512] (1: exact length)
 * @param sessions     model sessions running calls concurrently, >= 1 ({@link EngineConfig#batchPlan} caps the
 *                     provider's default by the thread budget); on CPU, sessions of one thread each share one ONNX
 *                     Runtime session and one copy of the weights with every engine of the same model in the JVM
 */
public record BatchPlan(int maxSequences, int lengthBucket, int sessions) {
    /** CPU: one sequence per call at its exact length, on two sessions. */
    public static final BatchPlan CPU = new BatchPlan(1, 1, 2);
    /** CUDA and TensorRT: up to 32 length-sorted sequences, padded to a multiple of 32 (few distinct shapes). */
    public static final BatchPlan GPU = new BatchPlan(32, 32, 1);

    public BatchPlan {
        if (maxSequences < 1) {
            throw new IllegalArgumentException("maxBatchSequences must be >= 1, got " + maxSequences);
        }
        if (lengthBucket < 1 || lengthBucket > 512) {
            throw new IllegalArgumentException("lengthBucket must be in [1, 512], got " + lengthBucket);
        }
        if (sessions < 1) {
            throw new IllegalArgumentException("sessions must be >= 1, got " + sessions);
        }
    }

    /** The default plan of a resolved provider ({@link ExecutionProvider#AUTO} is not resolved: CPU's plan). */
    public static BatchPlan forProvider(ExecutionProvider resolved) {
        return resolved == ExecutionProvider.CUDA || resolved == ExecutionProvider.TENSORRT ? GPU : CPU;
    }

    /** One line for logs: "1 sequence per call, exact length, 2 sessions". */
    public String describe() {
        return maxSequences + (maxSequences == 1 ? " sequence" : " sequences") + " per call, "
                + (lengthBucket == 1 ? "exact length" : "length rounded up to a multiple of " + lengthBucket)
                + ", " + sessions + (sessions == 1 ? " session" : " sessions");
    }
}
