package io.flinkllmlingua.bench;

import io.flinkllmlingua.engine.SpecialTokenPolicy;
import io.flinkllmlingua.engine.PieceCounter;
import io.flinkllmlingua.engine.Cl100kCounter;

import java.nio.file.Path;
import java.util.List;

/**
 * The CPU cost of the engine's two text stages that run outside the model, on the same chunks, on one thread:
 * cl100k_base counting (the reference's token count of the original, done for every chunk) and the model
 * tokenizer (HF tokenizers through DJL). Set against the model's time per chunk, they show how much of the engine's
 * work competes with ONNX Runtime for the same cores on a CPU host.
 *
 * @param countMillisPerChunk    cl100k_base count of one chunk
 * @param tokenizeMillisPerChunk model tokenization of one chunk (the engine tokenizes each chunk twice: the whole
 *                               text to find the 512-piece boundaries, then each piece again)
 */
public record StageProfile(int chunks, double countMillisPerChunk, double tokenizeMillisPerChunk) {

    public static StageProfile measure(Path modelDir, List<String> texts) {
        Cl100kCounter counter = new Cl100kCounter();
        try (PieceCounter tokenizer = PieceCounter.open(modelDir)) {
            // one untimed pass: class loading, native library, caches
            for (String t : texts.subList(0, Math.min(8, texts.size()))) {
                counter.count(t, SpecialTokenPolicy.COUNT_AS_TEXT);
                tokenizer.count(t);
            }
            long sink = 0;
            long t0 = System.nanoTime();
            for (String t : texts) {
                sink += counter.count(t, SpecialTokenPolicy.COUNT_AS_TEXT);
            }
            long t1 = System.nanoTime();
            for (String t : texts) {
                sink += tokenizer.count(t);
            }
            long t2 = System.nanoTime();
            if (sink == 42) {
                System.out.print(""); // keeps the loops from being optimised away
            }
            return new StageProfile(texts.size(), (t1 - t0) / 1e6 / texts.size(), (t2 - t1) / 1e6 / texts.size());
        }
    }
}
