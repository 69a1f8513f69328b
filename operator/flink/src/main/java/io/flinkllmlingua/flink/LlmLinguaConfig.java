package io.flinkllmlingua.flink;

import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.TextEscapes;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the operator needs, resolved from {@link LlmLinguaOptions}: the engine configuration (device chosen
 * per subtask at open time), the default compression options, and the operator's own settings.
 *
 * <p>From Java: {@code LlmLinguaConfig.builder("/models/x").rate(0.33).set(LlmLinguaOptions.BATCH_MAX_WAIT,
 * Duration.ofMillis(5)).build()}; from a configuration: {@link #fromConfiguration} or {@link #fromMap}, which go
 * through the same builder. Values are validated once, in {@link Builder#build()} (with the engine's own builders);
 * a bad value is an {@link IllegalArgumentException} naming the option's key.
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

    LlmLinguaConfig(Builder b, EngineConfig engine, CompressionOptions defaults) {
        this.engine = engine;
        this.defaults = defaults;
        this.modelId = engine.modelId();
        this.modelRevision = b.conf.get(LlmLinguaOptions.MODEL_REVISION);
        this.device = b.conf.get(LlmLinguaOptions.DEVICE);
        this.deviceCount = b.conf.get(LlmLinguaOptions.DEVICE_COUNT);
        this.gpuResource = b.conf.get(LlmLinguaOptions.GPU_RESOURCE);
        this.timeout = b.conf.get(LlmLinguaOptions.TIMEOUT);
        this.capacity = b.conf.get(LlmLinguaOptions.CAPACITY);
        this.ordered = b.conf.get(LlmLinguaOptions.ORDERED);
        this.retryMaxAttempts = b.conf.get(LlmLinguaOptions.RETRY_MAX_ATTEMPTS);
        this.retryBackoff = b.conf.get(LlmLinguaOptions.RETRY_BACKOFF);
        this.maxTextBytes = b.conf.get(LlmLinguaOptions.MAX_TEXT_BYTES);
    }

    /** A builder for the model in {@code modelPath}, every other option at its default. */
    public static Builder builder(String modelPath) {
        return new Builder().set(LlmLinguaOptions.MODEL_PATH, Objects.requireNonNull(modelPath, "modelPath"));
    }

    /** A builder for the model in {@code modelPath}, every other option at its default. */
    public static Builder builder(Path modelPath) {
        return builder(modelPath.toString());
    }

    /**
     * From {@code llmlingua.*} options of a Flink configuration (other keys are ignored).
     *
     * @throws IllegalArgumentException for an unknown {@code llmlingua.*} key, a missing model path or a bad value
     */
    public static LlmLinguaConfig fromConfiguration(ReadableConfig config) {
        return new Builder().setAll(LlmLinguaOptions.ofPrefix(config.toMap())).build();
    }

    /** From {@code llmlingua.*} key/value pairs (e.g. job arguments or a properties file); see {@link #fromConfiguration}. */
    public static LlmLinguaConfig fromMap(Map<String, String> options) {
        return new Builder().setAll(LlmLinguaOptions.ofPrefix(options)).build();
    }

    /**
     * The compression options that {@code llmlingua.*} options of {@code config} amount to (no model needed).
     *
     * @throws IllegalArgumentException naming the option when a value is invalid
     */
    public static CompressionOptions compressionOptions(ReadableConfig config) {
        return Builder.compression(config);
    }

    /**
     * The engine configuration that {@code llmlingua.*} options of {@code config} amount to; a
     * {@link LlmLinguaOptions#DEVICE} of -1 is device 0 here (subtasks choose theirs when they open).
     */
    public static EngineConfig engineConfig(ReadableConfig config) {
        return Builder.engine(config);
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

    /** Typed setters for the common options, {@link #set} for any of {@link LlmLinguaOptions}. */
    public static final class Builder {
        private final Configuration conf = new Configuration();

        Builder() {}

        /** Sets any option of {@link LlmLinguaOptions}. */
        public <T> Builder set(ConfigOption<T> option, T value) {
            if (LlmLinguaOptions.option(option.key()).isEmpty()) {
                throw new IllegalArgumentException("not an option of LlmLinguaOptions: '" + option.key() + "'"
                        + LlmLinguaOptions.suggestion(option.key()));
            }
            conf.set(option, Objects.requireNonNull(value, option.key()));
            return this;
        }

        /**
         * Sets {@code llmlingua.*} options from their string form (Flink's syntax: {@code 2 ms}, {@code a;b}).
         *
         * @throws IllegalArgumentException for an unknown key (naming the nearest valid one)
         */
        public Builder setAll(Map<String, String> options) {
            LlmLinguaOptions.checkKeys(options.keySet(), null);
            options.forEach(conf::setString);
            return this;
        }

        public Builder modelId(String v) { return set(LlmLinguaOptions.MODEL_ID, v); }
        public Builder modelRevision(String v) { return set(LlmLinguaOptions.MODEL_REVISION, v); }
        public Builder provider(io.flinkllmlingua.engine.ExecutionProvider v) { return set(LlmLinguaOptions.PROVIDER, v); }
        public Builder device(int v) { return set(LlmLinguaOptions.DEVICE, v); }
        public Builder threads(int v) { return set(LlmLinguaOptions.THREADS, v); }
        public Builder maxBatchSequences(int v) { return set(LlmLinguaOptions.BATCH_MAX_SEQUENCES, v); }
        public Builder maxBatchTokens(int v) { return set(LlmLinguaOptions.BATCH_MAX_TOKENS, v); }
        public Builder maxBatchWait(Duration v) { return set(LlmLinguaOptions.BATCH_MAX_WAIT, v); }
        public Builder rate(double v) { return set(LlmLinguaOptions.RATE, v); }
        public Builder targetToken(double v) { return set(LlmLinguaOptions.TARGET_TOKEN, v); }
        public Builder forceTokens(List<String> v) { return set(LlmLinguaOptions.FORCE_TOKENS, List.copyOf(v)); }
        public Builder renderMode(io.flinkllmlingua.engine.RenderMode v) { return set(LlmLinguaOptions.RENDER_MODE, v); }
        public Builder timeout(Duration v) { return set(LlmLinguaOptions.TIMEOUT, v); }
        public Builder capacity(int v) { return set(LlmLinguaOptions.CAPACITY, v); }
        public Builder ordered(boolean v) { return set(LlmLinguaOptions.ORDERED, v); }
        public Builder retryMaxAttempts(int v) { return set(LlmLinguaOptions.RETRY_MAX_ATTEMPTS, v); }
        public Builder retryBackoff(Duration v) { return set(LlmLinguaOptions.RETRY_BACKOFF, v); }
        public Builder maxTextBytes(int v) { return set(LlmLinguaOptions.MAX_TEXT_BYTES, v); }

        /**
         * Validates every value (the engine's builders for theirs, the operator's here) and builds.
         *
         * @throws IllegalArgumentException naming the option's key
         */
        public LlmLinguaConfig build() {
            String modelPath = conf.getOptional(LlmLinguaOptions.MODEL_PATH).map(String::trim).orElse("");
            if (modelPath.isEmpty()) {
                throw new IllegalArgumentException("missing required option '" + LlmLinguaOptions.MODEL_PATH.key()
                        + "' (the model directory)");
            }
            EngineConfig engine = engine(conf);
            CompressionOptions defaults = compression(conf);
            positive(LlmLinguaOptions.DEVICE_COUNT, 1);
            positive(LlmLinguaOptions.CAPACITY, 1);
            positive(LlmLinguaOptions.RETRY_MAX_ATTEMPTS, 0);
            positive(LlmLinguaOptions.MAX_TEXT_BYTES, 1);
            if (get(LlmLinguaOptions.DEVICE) < -1) {
                throw invalid(LlmLinguaOptions.DEVICE, get(LlmLinguaOptions.DEVICE), "must be >= 0, or -1 for automatic");
            }
            Duration timeout = get(LlmLinguaOptions.TIMEOUT);
            if (timeout.isNegative() || timeout.isZero()) {
                throw invalid(LlmLinguaOptions.TIMEOUT, timeout, "must be positive");
            }
            if (get(LlmLinguaOptions.RETRY_BACKOFF).isNegative()) {
                throw invalid(LlmLinguaOptions.RETRY_BACKOFF, get(LlmLinguaOptions.RETRY_BACKOFF), "must be >= 0");
            }
            return new LlmLinguaConfig(this, engine, defaults);
        }

        private <T> T get(ConfigOption<T> option) {
            return read(conf, option);
        }

        private void positive(ConfigOption<Integer> option, int min) {
            int v = get(option);
            if (v < min) {
                throw invalid(option, v, "must be >= " + min);
            }
        }

        private static IllegalArgumentException invalid(ConfigOption<?> option, Object value, String why) {
            return new IllegalArgumentException("invalid value for option '" + option.key() + "': "
                    + LlmLinguaOptions.format(value) + " (" + why + ")");
        }

        /** Reads {@code option}; Flink's parse error names the key and the value. */
        private static <T> T read(ReadableConfig c, ConfigOption<T> option) {
            return c.get(option);
        }

        static EngineConfig engine(ReadableConfig c) {
            String modelPath = c.getOptional(LlmLinguaOptions.MODEL_PATH).map(String::trim).orElse("model");
            int device = read(c, LlmLinguaOptions.DEVICE);
            EngineConfig.Builder b = EngineConfig.builder(modelPath)
                    .modelFile(read(c, LlmLinguaOptions.MODEL_FILE))
                    .family(read(c, LlmLinguaOptions.FAMILY))
                    .executionProvider(read(c, LlmLinguaOptions.PROVIDER))
                    .deviceId(Math.max(device, 0))
                    .intraOpThreads(read(c, LlmLinguaOptions.THREADS))
                    .sessions(read(c, LlmLinguaOptions.SESSIONS))
                    .optimizationLevel(read(c, LlmLinguaOptions.OPTIMIZATION_LEVEL))
                    .maxBatchSequences(read(c, LlmLinguaOptions.BATCH_MAX_SEQUENCES))
                    .maxBatchTokens(read(c, LlmLinguaOptions.BATCH_MAX_TOKENS))
                    .maxBatchWait(read(c, LlmLinguaOptions.BATCH_MAX_WAIT))
                    .lengthBucket(read(c, LlmLinguaOptions.BATCH_LENGTH_BUCKET))
                    .minPaddingEfficiency(read(c, LlmLinguaOptions.BATCH_MIN_PADDING_EFFICIENCY))
                    .padToMaxLength(read(c, LlmLinguaOptions.PAD_TO_512));
            c.getOptional(LlmLinguaOptions.MODEL_ID).map(String::trim).filter(s -> !s.isEmpty()).ifPresent(b::modelId);
            try {
                return b.build();
            } catch (IllegalArgumentException e) {
                throw inKeys(e, c);
            }
        }

        static CompressionOptions compression(ReadableConfig c) {
            CompressionOptions.Builder b = CompressionOptions.builder()
                    .rate(read(c, LlmLinguaOptions.RATE))
                    .targetToken(read(c, LlmLinguaOptions.TARGET_TOKEN))
                    .forceTokens(unescape(read(c, LlmLinguaOptions.FORCE_TOKENS)))
                    .forceReserveDigit(read(c, LlmLinguaOptions.FORCE_RESERVE_DIGIT))
                    .dropConsecutive(read(c, LlmLinguaOptions.DROP_CONSECUTIVE))
                    .chunkEndTokens(unescape(read(c, LlmLinguaOptions.CHUNK_END_TOKENS)))
                    .tokenToWord(read(c, LlmLinguaOptions.TOKEN_TO_WORD))
                    .useContextLevelFilter(read(c, LlmLinguaOptions.CONTEXT_LEVEL_FILTER))
                    .useTokenLevelFilter(read(c, LlmLinguaOptions.TOKEN_LEVEL_FILTER))
                    .targetContext(read(c, LlmLinguaOptions.TARGET_CONTEXT))
                    .contextLevelRate(read(c, LlmLinguaOptions.CONTEXT_LEVEL_RATE))
                    .contextLevelTargetToken(read(c, LlmLinguaOptions.CONTEXT_LEVEL_TARGET_TOKEN))
                    .forceContextIds(read(c, LlmLinguaOptions.FORCE_CONTEXT_IDS))
                    .renderMode(read(c, LlmLinguaOptions.RENDER_MODE))
                    .specialTokenPolicy(read(c, LlmLinguaOptions.SPECIAL_TOKENS));
            try {
                return b.build();
            } catch (IllegalArgumentException e) {
                throw inKeys(e, c);
            }
        }

        private static List<String> unescape(List<String> values) {
            List<String> out = new ArrayList<>(values.size());
            for (String v : values) {
                out.add(TextEscapes.unescape(v));
            }
            return out;
        }

        /** The engine builders' names (Java or the reference's) in their messages, and the option each is. */
        private static final Object[][] PROPERTIES = {
                {"maxBatchSequences", LlmLinguaOptions.BATCH_MAX_SEQUENCES},
                {"maxBatchTokens", LlmLinguaOptions.BATCH_MAX_TOKENS},
                {"maxBatchWait", LlmLinguaOptions.BATCH_MAX_WAIT},
                {"lengthBucket", LlmLinguaOptions.BATCH_LENGTH_BUCKET},
                {"minPaddingEfficiency", LlmLinguaOptions.BATCH_MIN_PADDING_EFFICIENCY},
                {"deviceId", LlmLinguaOptions.DEVICE},
                {"thread counts", LlmLinguaOptions.THREADS},
                {"sessions", LlmLinguaOptions.SESSIONS},
                {"context_level_target_token", LlmLinguaOptions.CONTEXT_LEVEL_TARGET_TOKEN},
                {"context_level_rate", LlmLinguaOptions.CONTEXT_LEVEL_RATE},
                {"target_token", LlmLinguaOptions.TARGET_TOKEN},
                {"rate", LlmLinguaOptions.RATE},
                {"force tokens", LlmLinguaOptions.FORCE_TOKENS},
                {"chunk end tokens", LlmLinguaOptions.CHUNK_END_TOKENS},
                {"force_context_ids", LlmLinguaOptions.FORCE_CONTEXT_IDS}};

        /** {@code e} with the option's key in front of the engine's message. */
        private static IllegalArgumentException inKeys(IllegalArgumentException e, ReadableConfig c) {
            String m = String.valueOf(e.getMessage());
            for (Object[] p : PROPERTIES) {
                if (m.startsWith((String) p[0]) || m.contains(" " + p[0] + " ")) {
                    ConfigOption<?> o = (ConfigOption<?>) p[1];
                    Object value = c.get(o);
                    return new IllegalArgumentException("invalid value for option '" + o.key() + "': "
                            + (value instanceof List<?> ? LlmLinguaOptions.format(value) : String.valueOf(value))
                            + ": " + m, e);
                }
            }
            return new IllegalArgumentException(m, e);
        }
    }
}
