package io.flinkllmlingua.flink.table;

import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.RenderMode;
import io.flinkllmlingua.flink.LlmLinguaOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;
import java.util.List;

/**
 * The {@code WITH} options of {@code CREATE MODEL ... WITH ('provider' = 'llmlingua2', ...)}: the operator's
 * {@link LlmLinguaOptions} that apply to SQL and the {@link LlmLinguaSqlOptions}, with the same defaults and
 * meaning, named by their {@code llmlingua.*} key without the prefix ({@code rate}, {@code force-tokens},
 * {@code batch.max-wait}, {@code threads}, {@code device}, ...) except for: {@code model-path} and {@code model-id}
 * ({@code llmlingua.model.path}, {@code llmlingua.model.id}), {@code execution-provider} ({@code llmlingua.provider}:
 * in {@code CREATE MODEL}, {@code 'provider'} names the model provider), {@code timeout}
 * ({@code llmlingua.async.timeout}), {@code empty-text} and {@code invalid-input} ({@code llmlingua.sql.*}).
 * Every option also accepts its full {@code llmlingua.*} key, so the options of a DataStream job can be copied as
 * they are. Unknown keys, a missing {@code model-path} and a rate outside (0, 1] are refused when the statement
 * using the model is planned.
 */
public final class LlmLinguaModelOptions {
    private LlmLinguaModelOptions() {}

    public static final ConfigOption<String> MODEL_PATH = ConfigOptions.key("model-path")
            .stringType().noDefaultValue()
            .withFallbackKeys(LlmLinguaOptions.MODEL_PATH.key())
            .withDescription(LlmLinguaOptions.MODEL_PATH.description());

    public static final ConfigOption<String> MODEL_ID = ConfigOptions.key("model-id")
            .stringType().noDefaultValue()
            .withFallbackKeys(LlmLinguaOptions.MODEL_ID.key())
            .withDescription("Model name for logs; defaults to the model directory's name.");

    public static final ConfigOption<Double> RATE = ConfigOptions.key("rate")
            .doubleType().defaultValue(LlmLinguaOptions.RATE.defaultValue())
            .withFallbackKeys(LlmLinguaOptions.RATE.key())
            .withDescription("Fraction of tokens to keep, in (0, 1]; a second input column (DOUBLE) overrides it per row.");

    public static final ConfigOption<Double> TARGET_TOKEN = ConfigOptions.key("target-token")
            .doubleType().defaultValue(LlmLinguaOptions.TARGET_TOKEN.defaultValue())
            .withFallbackKeys(LlmLinguaOptions.TARGET_TOKEN.key())
            .withDescription(LlmLinguaOptions.TARGET_TOKEN.description());

    public static final ConfigOption<List<String>> FORCE_TOKENS = ConfigOptions.key("force-tokens")
            .stringType().asList().defaultValues(LlmLinguaOptions.FORCE_TOKENS.defaultValue().toArray(new String[0]))
            .withFallbackKeys(LlmLinguaOptions.FORCE_TOKENS.key())
            .withDescription("Strings always kept (at most 100), separated by ';'.");

    public static final ConfigOption<Boolean> FORCE_RESERVE_DIGIT = ConfigOptions.key("force-reserve-digit")
            .booleanType().defaultValue(LlmLinguaOptions.FORCE_RESERVE_DIGIT.defaultValue())
            .withFallbackKeys(LlmLinguaOptions.FORCE_RESERVE_DIGIT.key())
            .withDescription(LlmLinguaOptions.FORCE_RESERVE_DIGIT.description());

    public static final ConfigOption<Boolean> DROP_CONSECUTIVE = ConfigOptions.key("drop-consecutive")
            .booleanType().defaultValue(LlmLinguaOptions.DROP_CONSECUTIVE.defaultValue())
            .withFallbackKeys(LlmLinguaOptions.DROP_CONSECUTIVE.key())
            .withDescription(LlmLinguaOptions.DROP_CONSECUTIVE.description());

    public static final ConfigOption<RenderMode> RENDER_MODE = ConfigOptions.key("render-mode")
            .enumType(RenderMode.class).defaultValue(LlmLinguaOptions.RENDER_MODE.defaultValue())
            .withFallbackKeys(LlmLinguaOptions.RENDER_MODE.key())
            .withDescription(LlmLinguaOptions.RENDER_MODE.description());

    public static final ConfigOption<ExecutionProvider> EXECUTION_PROVIDER = ConfigOptions.key("execution-provider")
            .enumType(ExecutionProvider.class).defaultValue(LlmLinguaOptions.PROVIDER.defaultValue())
            .withFallbackKeys(LlmLinguaOptions.PROVIDER.key())
            .withDescription(LlmLinguaOptions.PROVIDER.description());

    public static final ConfigOption<Integer> DEVICE = ConfigOptions.key("device")
            .intType().defaultValue(LlmLinguaOptions.DEVICE.defaultValue())
            .withFallbackKeys(LlmLinguaOptions.DEVICE.key())
            .withDescription(LlmLinguaOptions.DEVICE.description());

    public static final ConfigOption<Integer> DEVICE_COUNT = ConfigOptions.key("device.count")
            .intType().defaultValue(LlmLinguaOptions.DEVICE_COUNT.defaultValue())
            .withFallbackKeys(LlmLinguaOptions.DEVICE_COUNT.key())
            .withDescription(LlmLinguaOptions.DEVICE_COUNT.description());

    public static final ConfigOption<String> GPU_RESOURCE = ConfigOptions.key("gpu.resource-name")
            .stringType().defaultValue(LlmLinguaOptions.GPU_RESOURCE.defaultValue())
            .withFallbackKeys(LlmLinguaOptions.GPU_RESOURCE.key())
            .withDescription(LlmLinguaOptions.GPU_RESOURCE.description());

    public static final ConfigOption<Integer> THREADS = ConfigOptions.key("threads")
            .intType().defaultValue(LlmLinguaOptions.THREADS.defaultValue())
            .withFallbackKeys(LlmLinguaOptions.THREADS.key())
            .withDescription(LlmLinguaOptions.THREADS.description());

    public static final ConfigOption<Integer> BATCH_MAX_SEQUENCES = ConfigOptions.key("batch.max-sequences")
            .intType().defaultValue(LlmLinguaOptions.BATCH_MAX_SEQUENCES.defaultValue())
            .withFallbackKeys(LlmLinguaOptions.BATCH_MAX_SEQUENCES.key())
            .withDescription(LlmLinguaOptions.BATCH_MAX_SEQUENCES.description());

    public static final ConfigOption<Integer> BATCH_MAX_TOKENS = ConfigOptions.key("batch.max-tokens")
            .intType().defaultValue(LlmLinguaOptions.BATCH_MAX_TOKENS.defaultValue())
            .withFallbackKeys(LlmLinguaOptions.BATCH_MAX_TOKENS.key())
            .withDescription(LlmLinguaOptions.BATCH_MAX_TOKENS.description());

    public static final ConfigOption<Duration> BATCH_MAX_WAIT = ConfigOptions.key("batch.max-wait")
            .durationType().defaultValue(LlmLinguaOptions.BATCH_MAX_WAIT.defaultValue())
            .withFallbackKeys(LlmLinguaOptions.BATCH_MAX_WAIT.key())
            .withDescription(LlmLinguaOptions.BATCH_MAX_WAIT.description());

    public static final ConfigOption<Boolean> PAD_TO_512 = ConfigOptions.key("batch.pad-to-512")
            .booleanType().defaultValue(LlmLinguaOptions.PAD_TO_512.defaultValue())
            .withFallbackKeys(LlmLinguaOptions.PAD_TO_512.key())
            .withDescription(LlmLinguaOptions.PAD_TO_512.description());

    public static final ConfigOption<Duration> TIMEOUT = ConfigOptions.key("timeout")
            .durationType().defaultValue(LlmLinguaOptions.TIMEOUT.defaultValue())
            .withFallbackKeys(LlmLinguaOptions.TIMEOUT.key())
            .withDescription("Time limit of one row in the engine; past it the row fails (keep it below ML_PREDICT's "
                    + "own 'timeout').");

    public static final ConfigOption<Integer> MAX_TEXT_BYTES = ConfigOptions.key("max-text-bytes")
            .intType().defaultValue(LlmLinguaOptions.MAX_TEXT_BYTES.defaultValue())
            .withFallbackKeys(LlmLinguaOptions.MAX_TEXT_BYTES.key())
            .withDescription("Largest text (UTF-8 bytes) accepted; a larger one is an invalid row (see 'invalid-input').");

    public static final ConfigOption<EmptyTextPolicy> EMPTY_TEXT = ConfigOptions.key("empty-text")
            .enumType(EmptyTextPolicy.class).defaultValue(LlmLinguaSqlOptions.EMPTY_TEXT.defaultValue())
            .withFallbackKeys(LlmLinguaSqlOptions.EMPTY_TEXT.key())
            .withDescription(LlmLinguaSqlOptions.EMPTY_TEXT.description());

    public static final ConfigOption<InvalidInputPolicy> INVALID_INPUT = ConfigOptions.key("invalid-input")
            .enumType(InvalidInputPolicy.class).defaultValue(LlmLinguaSqlOptions.INVALID_INPUT.defaultValue())
            .withFallbackKeys(LlmLinguaSqlOptions.INVALID_INPUT.key())
            .withDescription(LlmLinguaSqlOptions.INVALID_INPUT.description());
}
