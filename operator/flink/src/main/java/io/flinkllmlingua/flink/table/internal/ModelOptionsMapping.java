package io.flinkllmlingua.flink.table.internal;

import io.flinkllmlingua.flink.LlmLinguaOptions;
import io.flinkllmlingua.flink.table.LlmLinguaModelOptions;
import io.flinkllmlingua.flink.table.LlmLinguaSqlOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Which {@code llmlingua.*} option each {@code CREATE MODEL} option sets. */
public final class ModelOptionsMapping {
    private ModelOptionsMapping() {}

    private record Pair<T>(ConfigOption<T> model, ConfigOption<T> operator) {
        void copy(ReadableConfig from, Configuration to) {
            from.getOptional(model).ifPresent(v -> to.set(operator, v));
        }
    }

    private static final List<Pair<?>> PAIRS = List.of(
            new Pair<>(LlmLinguaModelOptions.MODEL_PATH, LlmLinguaOptions.MODEL_PATH),
            new Pair<>(LlmLinguaModelOptions.MODEL_ID, LlmLinguaOptions.MODEL_ID),
            new Pair<>(LlmLinguaModelOptions.RATE, LlmLinguaOptions.RATE),
            new Pair<>(LlmLinguaModelOptions.TARGET_TOKEN, LlmLinguaOptions.TARGET_TOKEN),
            new Pair<>(LlmLinguaModelOptions.FORCE_TOKENS, LlmLinguaOptions.FORCE_TOKENS),
            new Pair<>(LlmLinguaModelOptions.FORCE_RESERVE_DIGIT, LlmLinguaOptions.FORCE_RESERVE_DIGIT),
            new Pair<>(LlmLinguaModelOptions.DROP_CONSECUTIVE, LlmLinguaOptions.DROP_CONSECUTIVE),
            new Pair<>(LlmLinguaModelOptions.RENDER_MODE, LlmLinguaOptions.RENDER_MODE),
            new Pair<>(LlmLinguaModelOptions.EXECUTION_PROVIDER, LlmLinguaOptions.PROVIDER),
            new Pair<>(LlmLinguaModelOptions.DEVICE, LlmLinguaOptions.DEVICE),
            new Pair<>(LlmLinguaModelOptions.DEVICE_COUNT, LlmLinguaOptions.DEVICE_COUNT),
            new Pair<>(LlmLinguaModelOptions.GPU_RESOURCE, LlmLinguaOptions.GPU_RESOURCE),
            new Pair<>(LlmLinguaModelOptions.THREADS, LlmLinguaOptions.THREADS),
            new Pair<>(LlmLinguaModelOptions.BATCH_MAX_SEQUENCES, LlmLinguaOptions.BATCH_MAX_SEQUENCES),
            new Pair<>(LlmLinguaModelOptions.BATCH_MAX_TOKENS, LlmLinguaOptions.BATCH_MAX_TOKENS),
            new Pair<>(LlmLinguaModelOptions.BATCH_MAX_WAIT, LlmLinguaOptions.BATCH_MAX_WAIT),
            new Pair<>(LlmLinguaModelOptions.PAD_TO_512, LlmLinguaOptions.PAD_TO_512),
            new Pair<>(LlmLinguaModelOptions.TIMEOUT, LlmLinguaOptions.TIMEOUT),
            new Pair<>(LlmLinguaModelOptions.MAX_TEXT_BYTES, LlmLinguaOptions.MAX_TEXT_BYTES),
            new Pair<>(LlmLinguaModelOptions.EMPTY_TEXT, LlmLinguaSqlOptions.EMPTY_TEXT),
            new Pair<>(LlmLinguaModelOptions.INVALID_INPUT, LlmLinguaSqlOptions.INVALID_INPUT));

    /** The model's required options. */
    public static Set<ConfigOption<?>> required() {
        return Set.of(LlmLinguaModelOptions.MODEL_PATH);
    }

    /** The model's optional options. */
    public static Set<ConfigOption<?>> optional() {
        Set<ConfigOption<?>> set = new LinkedHashSet<>();
        for (Pair<?> p : PAIRS) {
            if (!required().contains(p.model())) {
                set.add(p.model());
            }
        }
        return set;
    }

    /** The {@code llmlingua.*} configuration that the model's (validated) options amount to. */
    public static Configuration toOperatorOptions(ReadableConfig modelOptions) {
        Configuration c = new Configuration();
        for (Pair<?> p : PAIRS) {
            p.copy(modelOptions, c);
        }
        return c;
    }

    /** {@code message} with {@code 'llmlingua.*'} option keys replaced by the model's names for them. */
    public static String inModelTerms(String message) {
        String m = message;
        for (Pair<?> p : PAIRS) {
            m = m.replace("'" + p.operator().key() + "'", "'" + p.model().key() + "'")
                    .replace(p.operator().key() + " ", p.model().key() + " ");
        }
        return m;
    }

    /** Model option names, sorted, for messages. */
    public static List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (Pair<?> p : PAIRS) {
            keys.add(p.model().key());
        }
        keys.sort(null);
        return keys;
    }
}
