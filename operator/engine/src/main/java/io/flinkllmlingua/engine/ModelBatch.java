package io.flinkllmlingua.engine;

/**
 * One model call of the micro-batcher, exactly as it was fed to ONNX Runtime: row-major {@code [rows, length]} ids
 * and attention mask, padding included. Benchmarks replay these to measure the model-only ceiling on the very
 * batches the engine formed; the arrays belong to the listener (the batcher does not reuse them).
 *
 * @param inputIds       token ids, padding included
 * @param attentionMask  1 for real positions, 0 for padding
 * @param rows           sequences in the call
 * @param length         padded length of every sequence
 * @param realTokens     real (unpadded) positions
 * @param inferenceNanos time of the model call as the engine measured it
 */
public record ModelBatch(long[] inputIds, long[] attentionMask, int rows, int length, long realTokens,
                         long inferenceNanos) {
}
