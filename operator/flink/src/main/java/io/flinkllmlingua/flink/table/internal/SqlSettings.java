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

    /**
     * The {@code llmlingua.*} options that reach the SQL function and model: {@link LlmLinguaOptions} less its
     * documented exclusions (the async capacity, order and retries are Flink's own table options there).
     */
    public static final List<ConfigOption<?>> OPTIONS = LlmLinguaOptions.options(LlmLinguaOptions.Surface.SQL_FUNCTION);

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
     * Resolves {@code llmlingua.*} options (validated by {@link LlmLinguaConfig.Builder#build()}); {@code name} (the
     * function or model) prefixes messages.
     *
     * @throws IllegalArgumentException naming the option when a value is missing or out of range
     */
    public static SqlSettings resolve(ReadableConfig c, String name) {
        LlmLinguaConfig config;
        try {
            LlmLinguaOptions.checkKeys(LlmLinguaOptions.ofPrefix(c.toMap()).keySet(),
                    LlmLinguaOptions.Surface.SQL_FUNCTION, null);
            config = LlmLinguaConfig.fromConfiguration(c);
            return new SqlSettings(config, c.get(LlmLinguaSqlOptions.EMPTY_TEXT), c.get(LlmLinguaSqlOptions.INVALID_INPUT),
                    name);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
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
