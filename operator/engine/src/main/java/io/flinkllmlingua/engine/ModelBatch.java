package io.flinkllmlingua.engine;

/**
 * One model call of the micro-batcher, exactly as it was fed to ONNX Runtime: row-major {@code [rows, length]} ids
 * and attention mask, padding included. Benchmarks replay these to measure the model-only ceiling on the very
 * batches the engine formed, and evaluations compare the recorded outputs of two models. The listener may keep the
 * arrays (the batcher does not reuse them) but must not modify them: the batcher copies each request's rows out of
 * {@code keepProbabilities} after the listener returns.
 *
 * @param inputIds       token ids, padding included
 * @param attentionMask  1 for real positions, 0 for padding
 * @param rows           sequences in the call
 * @param length         padded length of every sequence
 * @param realTokens     real (unpadded) positions
 * @param inferenceNanos time of the model call as the engine measured it
 * @param keepProbabilities the call's output, row-major {@code [rows, length]} keep probabilities (padding
 *                          included), as the engine read them; null for a batch built to be replayed
 */
public record ModelBatch(long[] inputIds, long[] attentionMask, int rows, int length, long realTokens,
                         long inferenceNanos, float[] keepProbabilities) {

    /** A batch to replay (no output recorded). */
    public ModelBatch(long[] inputIds, long[] attentionMask, int rows, int length, long realTokens,
                      long inferenceNanos) {
        this(inputIds, attentionMask, rows, length, realTokens, inferenceNanos, null);
    }
}
