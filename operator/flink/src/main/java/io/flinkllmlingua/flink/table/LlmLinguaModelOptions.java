package io.flinkllmlingua.flink.table;

import io.flinkllmlingua.flink.LlmLinguaOptions;
import org.apache.flink.configuration.ConfigOption;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code WITH} options of {@code CREATE MODEL ... WITH ('provider' = 'llmlingua2', ...)}, derived from
 * {@link LlmLinguaOptions} (nothing is declared here): every option that reaches the SQL model
 * ({@link LlmLinguaOptions#options(LlmLinguaOptions.Surface)} with {@code SQL_MODEL}), with the same type, default and
 * description, named by {@link LlmLinguaOptions#modelKey}: the key without {@code llmlingua.} (the SQL row policies
 * without {@code llmlingua.sql.}), e.g. {@code rate}, {@code force-tokens}, {@code batch.max-wait},
 * {@code batch.min-padding-efficiency}, {@code batch.length-bucket}, except for the renames of
 * {@link LlmLinguaOptions#MODEL_KEY_RENAMES} ({@code model-path}, {@code model-id}, {@code model-file},
 * {@code execution-provider} since {@code 'provider'} names the model provider, {@code timeout}). Every option also
 * accepts its full {@code llmlingua.*} key, so the options of a DataStream job can be copied as they are. Unknown keys
 * are refused by Flink's factory helper, bad values by the option builders, when a statement using the model is
 * planned.
 */
public final class LlmLinguaModelOptions {
    private LlmLinguaModelOptions() {}

    private static final Map<ConfigOption<?>, ConfigOption<?>> BY_MODEL_OPTION = new LinkedHashMap<>();

    static {
        for (ConfigOption<?> o : LlmLinguaOptions.options(LlmLinguaOptions.Surface.SQL_MODEL)) {
            BY_MODEL_OPTION.put(LlmLinguaOptions.renamed(o, LlmLinguaOptions.modelKey(o)), o);
        }
    }

    /** The model's required option. */
    public static final ConfigOption<String> MODEL_PATH = option(LlmLinguaOptions.MODEL_PATH);

    /** Each model option and the {@code llmlingua.*} option it sets, in declaration order. */
    public static Map<ConfigOption<?>, ConfigOption<?>> mapping() {
        return Collections.unmodifiableMap(BY_MODEL_OPTION);
    }

    /** The model option of {@code llmlingua} (an option of {@link LlmLinguaOptions} that reaches the model). */
    @SuppressWarnings("unchecked")
    public static <T> ConfigOption<T> option(ConfigOption<T> llmlingua) {
        for (Map.Entry<ConfigOption<?>, ConfigOption<?>> e : BY_MODEL_OPTION.entrySet()) {
            if (e.getValue().equals(llmlingua)) {
                return (ConfigOption<T>) e.getKey();
            }
        }
        throw new IllegalArgumentException("option '" + llmlingua.key() + "' does not reach the SQL model");
    }
}
