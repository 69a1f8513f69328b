package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.ModelFamily;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** How the engine loads and runs the model. Defaults are the engine's ({@link EngineDefaults}). */
public final class EngineFlags {
    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory (model.onnx, tokenizer.json, config.json). Required unless "
                    + LlmLinguaCli.ENV_MODEL + " is set.")
    public Path model;

    @Option(names = "--model-id", paramLabel = "NAME",
            description = "Model name in the output. Default: the model directory's name.")
    String modelId;

    @Option(names = "--provider", paramLabel = "auto|cpu|cuda|tensorrt",
            description = "Execution provider. Default: ${DEFAULT-VALUE} (CUDA when a GPU is present).")
    ExecutionProvider provider;

    @Option(names = "--device", paramLabel = "ID", description = "GPU device id. Default: ${DEFAULT-VALUE}.")
    int device;

    @Option(names = "--threads", paramLabel = "N",
            description = "ONNX Runtime intra-op threads (0: one per core). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--max-batch", paramLabel = "N",
            description = "Most sequences (512-token chunks) per model call. Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(names = "--max-batch-tokens", paramLabel = "N",
            description = "Most padded positions per model call. Default: ${DEFAULT-VALUE}.")
    int maxBatchTokens;

    @Option(names = "--batch-wait-us", paramLabel = "US",
            description = "How long the micro-batcher waits for more work. Default: ${DEFAULT-VALUE}.")
    long batchWaitMicros;

    @Option(names = "--length-bucket", paramLabel = "N",
            description = "Padded lengths are multiples of N. Default: ${DEFAULT-VALUE}.")
    int lengthBucket;

    @Option(names = "--min-padding-efficiency", paramLabel = "F",
            description = "A model call stops taking shorter sequences before real/padded tokens falls below F "
                    + "(0 turns it off). Default: ${DEFAULT-VALUE}.")
    double minPaddingEfficiency;

    @Option(names = "--pad-to-512", description = "Pad every sequence to 512 as the reference does (slower).")
    boolean padTo512;

    @Option(names = "--family", paramLabel = "wordpiece|sentencepiece",
            description = "Tokenizer family. Default: detected from tokenizer.json.")
    ModelFamily family;

    /** The engine configuration for {@code modelDir}; throws IllegalArgumentException on bad values. */
    public EngineConfig toConfig(Path modelDir) {
        return EngineConfig.builder(modelDir)
                .modelId(modelId)
                .family(family)
                .executionProvider(provider)
                .deviceId(device)
                .intraOpThreads(threads)
                .maxBatchSequences(maxBatch)
                .maxBatchTokens(maxBatchTokens)
                .maxBatchWaitMicros(batchWaitMicros)
                .lengthBucket(lengthBucket)
                .minPaddingEfficiency(minPaddingEfficiency)
                .padToMaxLength(padTo512)
                .build();
    }
}
