package io.flinkllmlingua.bench;

import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.ModelBatch;
import io.flinkllmlingua.engine.ModelSession;

import java.util.ArrayList;
import java.util.List;

/**
 * Path 1: the model-only ceiling. Replays, in order on one thread (as the engine's batcher runs them), the exact
 * model calls the engine made in its measured run (same sequences, same padding, same batch composition) on a
 * fresh ONNX Runtime session with the same settings. Nothing else runs: no tokenization, no selection, no
 * counting. The time per call includes building the input tensors and the two-class softmax, as the engine's
 * model call does. Engine throughput over this one isolates everything that is not the model.
 */
public final class ModelOnlyCeiling {
    private ModelOnlyCeiling() {}

    /**
     * @param chunks chunks the engine compressed with these batches (throughput is per the same chunks)
     * @param tokens cl100k tokens of those chunks
     */
    public static PathResult measure(String model, EngineConfig config, List<ModelBatch> batches, int chunks,
                                     long tokens, int warmupBatches) {
        if (batches.isEmpty()) {
            return PathResult.skipped(BenchPath.MODEL_ONLY, model, "the engine made no model call to replay");
        }
        try (ModelSession session = ModelSession.open(config)) {
            for (int i = 0; i < Math.min(warmupBatches, batches.size()); i++) {
                ModelBatch b = batches.get(i);
                session.run(b);
            }
            PeakRss.reset();
            List<Double> perSequence = new ArrayList<>();
            long sequences = 0;
            long real = 0;
            long padded = 0;
            long t0 = System.nanoTime();
            for (ModelBatch b : batches) {
                long s = System.nanoTime();
                session.run(b);
                double millis = (System.nanoTime() - s) / 1e6;
                for (int r = 0; r < b.rows(); r++) {
                    perSequence.add(millis);
                }
                sequences += b.rows();
                real += b.realTokens();
                padded += (long) b.rows() * b.length();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long peak = PeakRss.peakBytes();
            double[] lat = perSequence.stream().mapToDouble(Double::doubleValue).toArray();
            return new PathResult(BenchPath.MODEL_ONLY, model, chunks, tokens, seconds, LatencyStats.of(lat),
                    (double) sequences / batches.size(), padded == 0 ? 1 : (double) real / padded, peak,
                    batches.size() + " model calls replayed; latency = the call that scored the chunk's sequence");
        }
    }
}
