package io.flinkllmlingua.flink.table.internal;

import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.flink.LlmLinguaOptions;
import io.flinkllmlingua.flink.table.EmptyTextPolicy;
import io.flinkllmlingua.flink.table.InvalidInputPolicy;
import io.flinkllmlingua.flink.table.LlmLinguaSqlOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

/**
 * The resolved configuration of the SQL function or of one ML_PREDICT model: the operator's
 * {@link LlmLinguaConfig} (engine, compression defaults, timeout, text limit) and the SQL row policies.
 */
public final class SqlSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The {@code llmlingua.*} options that apply to SQL (the async capacity, order and retries are Flink's there). */
    public static final List<ConfigOption<?>> OPTIONS = List.of(
            LlmLinguaOptions.MODEL_PATH, LlmLinguaOptions.MODEL_ID, LlmLinguaOptions.PROVIDER, LlmLinguaOptions.DEVICE,
            LlmLinguaOptions.DEVICE_COUNT, LlmLinguaOptions.GPU_RESOURCE, LlmLinguaOptions.THREADS,
            LlmLinguaOptions.BATCH_MAX_SEQUENCES, LlmLinguaOptions.BATCH_MAX_TOKENS, LlmLinguaOptions.BATCH_MAX_WAIT,
            LlmLinguaOptions.BATCH_MIN_PADDING_EFFICIENCY, LlmLinguaOptions.PAD_TO_512, LlmLinguaOptions.RATE, LlmLinguaOptions.TARGET_TOKEN,
            LlmLinguaOptions.FORCE_TOKENS, LlmLinguaOptions.FORCE_RESERVE_DIGIT, LlmLinguaOptions.DROP_CONSECUTIVE,
            LlmLinguaOptions.RENDER_MODE, LlmLinguaOptions.TIMEOUT, LlmLinguaOptions.MAX_TEXT_BYTES,
            LlmLinguaSqlOptions.EMPTY_TEXT, LlmLinguaSqlOptions.INVALID_INPUT);

    private final LlmLinguaConfig config;
    private final EmptyTextPolicy emptyText;
    private final InvalidInputPolicy invalidInput;
    private final String name;

    private SqlSettings(LlmLinguaConfig config, EmptyTextPolicy emptyText, InvalidInputPolicy invalidInput, String name) {
        this.config = config;
        this.emptyText = emptyText;
        this.invalidInput = invalidInput;
        this.name = name;
    }

    /**
     * Resolves and validates {@code llmlingua.*} options; {@code name} (the function or model) prefixes messages.
     *
     * @throws IllegalArgumentException naming the option when a value is missing or out of range
     */
    public static SqlSettings resolve(ReadableConfig c, String name) {
        if (c.getOptional(LlmLinguaOptions.MODEL_PATH).map(String::isBlank).orElse(true)) {
            throw new IllegalArgumentException(name + ": missing required option '" + LlmLinguaOptions.MODEL_PATH.key()
                    + "' (the model directory, present on every TaskManager)");
        }
        double rate = c.get(LlmLinguaOptions.RATE);
        if (!(rate > 0 && rate <= 1)) {
            throw new IllegalArgumentException(name + ": invalid value for option '" + LlmLinguaOptions.RATE.key()
                    + "': " + rate + " (the fraction of tokens to keep must be > 0 and <= 1)");
        }
        LlmLinguaConfig config;
        try {
            config = LlmLinguaConfig.fromConfiguration(c);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
        if (config.timeout().isNegative() || config.timeout().isZero()) {
            throw new IllegalArgumentException(name + ": option '" + LlmLinguaOptions.TIMEOUT.key() + "' must be positive");
        }
        return new SqlSettings(config, c.get(LlmLinguaSqlOptions.EMPTY_TEXT), c.get(LlmLinguaSqlOptions.INVALID_INPUT),
                name);
    }

    /** The keys of {@link #OPTIONS}, sorted (for messages). */
    public static List<String> keys() {
        TreeSet<String> keys = new TreeSet<>();
        for (ConfigOption<?> o : OPTIONS) {
            keys.add(o.key());
        }
        return Collections.unmodifiableList(new ArrayList<>(keys));
    }

    public LlmLinguaConfig config() { return config; }
    public EmptyTextPolicy emptyText() { return emptyText; }
    public InvalidInputPolicy invalidInput() { return invalidInput; }
    /** The function or model, for messages and logs. */
    public String name() { return name; }
}
