package io.flinkllmlingua.flink;

import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.TextEscapes;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the operator needs, resolved from {@link LlmLinguaOptions}: the engine configuration (device chosen
 * per subtask at open time), the default compression options, and the operator's own settings.
 */
public final class LlmLinguaConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final EngineConfig engine;
    private final CompressionOptions defaults;
    private final String modelId;
    private final String modelRevision;
    private final int device;
    private final int deviceCount;
    private final String gpuResource;
    private final Duration timeout;
    private final int capacity;
    private final boolean ordered;
    private final int retryMaxAttempts;
    private final Duration retryBackoff;
    private final int maxTextBytes;

    private LlmLinguaConfig(ReadableConfig c) {
        String modelPath = c.getOptional(LlmLinguaOptions.MODEL_PATH).orElseThrow(() ->
                new IllegalArgumentException("Missing required option '" + LlmLinguaOptions.MODEL_PATH.key()
                        + "' (the model directory)"));
        this.modelId = c.getOptional(LlmLinguaOptions.MODEL_ID)
                .orElse(Path.of(modelPath).getFileName().toString());
        this.modelRevision = c.get(LlmLinguaOptions.MODEL_REVISION);
        this.engine = EngineConfig.builder(modelPath)
                .modelId(modelId)
                .executionProvider(c.get(LlmLinguaOptions.PROVIDER))
                .intraOpThreads(c.get(LlmLinguaOptions.THREADS))
                .maxBatchSequences(c.get(LlmLinguaOptions.BATCH_MAX_SEQUENCES))
                .maxBatchTokens(c.get(LlmLinguaOptions.BATCH_MAX_TOKENS))
                .maxBatchWaitMicros(c.get(LlmLinguaOptions.BATCH_MAX_WAIT).toNanos() / 1000)
                .minPaddingEfficiency(c.get(LlmLinguaOptions.BATCH_MIN_PADDING_EFFICIENCY))
                .padToMaxLength(c.get(LlmLinguaOptions.PAD_TO_512))
                .build();
        this.defaults = CompressionOptions.builder()
                .rate(c.get(LlmLinguaOptions.RATE))
                .targetToken(c.get(LlmLinguaOptions.TARGET_TOKEN))
                .forceTokens(c.get(LlmLinguaOptions.FORCE_TOKENS).stream().map(TextEscapes::unescape).toList())
                .forceReserveDigit(c.get(LlmLinguaOptions.FORCE_RESERVE_DIGIT))
                .dropConsecutive(c.get(LlmLinguaOptions.DROP_CONSECUTIVE))
                .renderMode(c.get(LlmLinguaOptions.RENDER_MODE))
                .build();
        this.device = c.get(LlmLinguaOptions.DEVICE);
        this.deviceCount = c.get(LlmLinguaOptions.DEVICE_COUNT);
        this.gpuResource = c.get(LlmLinguaOptions.GPU_RESOURCE);
        this.timeout = c.get(LlmLinguaOptions.TIMEOUT);
        this.capacity = c.get(LlmLinguaOptions.CAPACITY);
        this.ordered = c.get(LlmLinguaOptions.ORDERED);
        this.retryMaxAttempts = c.get(LlmLinguaOptions.RETRY_MAX_ATTEMPTS);
        this.retryBackoff = c.get(LlmLinguaOptions.RETRY_BACKOFF);
        this.maxTextBytes = c.get(LlmLinguaOptions.MAX_TEXT_BYTES);
        if (capacity < 1) throw new IllegalArgumentException(LlmLinguaOptions.CAPACITY.key() + " must be >= 1");
        if (deviceCount < 1) throw new IllegalArgumentException(LlmLinguaOptions.DEVICE_COUNT.key() + " must be >= 1");
        if (retryMaxAttempts < 0) throw new IllegalArgumentException(LlmLinguaOptions.RETRY_MAX_ATTEMPTS.key() + " must be >= 0");
        if (maxTextBytes < 1) throw new IllegalArgumentException(LlmLinguaOptions.MAX_TEXT_BYTES.key() + " must be >= 1");
    }

    public static LlmLinguaConfig fromConfiguration(ReadableConfig config) {
        return new LlmLinguaConfig(config);
    }

    /** From {@code llmlingua.*} key/value pairs (e.g. job arguments or a properties file). */
    public static LlmLinguaConfig fromMap(Map<String, String> options) {
        return new LlmLinguaConfig(Configuration.fromMap(options));
    }

    public EngineConfig engine() { return engine; }
    public CompressionOptions defaults() { return defaults; }
    public String modelId() { return modelId; }
    public String modelRevision() { return modelRevision; }
    /** Fixed GPU index, or -1 to derive it from the external resource or the subtask index. */
    public int device() { return device; }
    public int deviceCount() { return deviceCount; }
    public String gpuResource() { return gpuResource; }
    public Duration timeout() { return timeout; }
    public int capacity() { return capacity; }
    public boolean ordered() { return ordered; }
    public int retryMaxAttempts() { return retryMaxAttempts; }
    public Duration retryBackoff() { return retryBackoff; }
    public int maxTextBytes() { return maxTextBytes; }
}
