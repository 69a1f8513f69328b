package io.flinkllmlingua.flink.table.internal;

import io.flinkllmlingua.flink.table.LlmLinguaModelOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Which {@code llmlingua.*} option each {@code CREATE MODEL} option sets (derived: {@link LlmLinguaModelOptions}). */
public final class ModelOptionsMapping {
    private ModelOptionsMapping() {}

    /** The model's required options. */
    public static Set<ConfigOption<?>> required() {
        return Set.of(LlmLinguaModelOptions.MODEL_PATH);
    }

    /** The model's optional options. */
    public static Set<ConfigOption<?>> optional() {
        Set<ConfigOption<?>> set = new LinkedHashSet<>(LlmLinguaModelOptions.mapping().keySet());
        set.removeAll(required());
        return set;
    }

    /** The {@code llmlingua.*} configuration that the model's (validated) options amount to. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Configuration toOperatorOptions(ReadableConfig modelOptions) {
        Configuration c = new Configuration();
        for (Map.Entry<ConfigOption<?>, ConfigOption<?>> e : LlmLinguaModelOptions.mapping().entrySet()) {
            modelOptions.getOptional(e.getKey()).ifPresent(v -> c.set((ConfigOption) e.getValue(), v));
        }
        return c;
    }

    /** {@code message} with {@code 'llmlingua.*'} option keys replaced by the model's names for them. */
    public static String inModelTerms(String message) {
        String m = message;
        for (Map.Entry<ConfigOption<?>, ConfigOption<?>> e : LlmLinguaModelOptions.mapping().entrySet()) {
            m = m.replace("'" + e.getValue().key() + "'", "'" + e.getKey().key() + "'")
                    .replace(e.getValue().key() + " ", e.getKey().key() + " ");
        }
        return m;
    }

    /** Model option names, sorted, for messages. */
    public static List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (ConfigOption<?> o : LlmLinguaModelOptions.mapping().keySet()) {
            keys.add(o.key());
        }
        keys.sort(null);
        return keys;
    }
}
