package io.flinkllmlingua.flink.table;

import io.flinkllmlingua.flink.table.internal.LlmLinguaModelProvider;
import io.flinkllmlingua.flink.table.internal.ModelOptionsMapping;
import io.flinkllmlingua.flink.table.internal.ModelSchema;
import io.flinkllmlingua.flink.table.internal.SqlSettings;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.ResolvedCatalogModel;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.ml.ModelProvider;

import java.util.Set;

/**
 * The {@code llmlingua2} model provider for Flink SQL model inference (Flink 2.1+):
 * <pre>{@code
 * CREATE MODEL compressor
 *   INPUT (text STRING)
 *   OUTPUT (compressed_text STRING, original_tokens INT, compressed_tokens INT, ratio DOUBLE)
 *   WITH ('provider' = 'llmlingua2', 'model-path' = '/models/llmlingua-2', 'rate' = '0.5');
 * SELECT * FROM ML_PREDICT(TABLE chunks, MODEL compressor, DESCRIPTOR(text));
 * }</pre>
 * INPUT is the text, optionally followed by a numeric per-row rate; OUTPUT any of {@code compressed_text STRING,
 * original_tokens INT, compressed_tokens INT, ratio DOUBLE, rate DOUBLE} by name. Options: {@link LlmLinguaModelOptions},
 * derived from {@link io.flinkllmlingua.flink.LlmLinguaOptions}. The options (unknown keys by Flink's factory helper,
 * values by the option builders) and schemas are validated when a statement using the model is planned. The runtime is asynchronous by
 * default: the rows in flight of a subtask share one engine and are batched together.
 */
public class LlmLinguaModelProviderFactory implements ModelProviderFactory {
    public static final String IDENTIFIER = "llmlingua2";

    @Override
    public ModelProvider createModelProvider(Context context) {
        FactoryUtil.ModelProviderFactoryHelper helper = FactoryUtil.createModelProviderFactoryHelper(this, context);
        helper.validate();
        ReadableConfig options = helper.getOptions();
        String name = "Model '" + context.getObjectIdentifier().asSummaryString() + "' (provider '" + IDENTIFIER + "')";
        SqlSettings settings;
        try {
            settings = SqlSettings.resolve(ModelOptionsMapping.toOperatorOptions(options), name);
        } catch (IllegalArgumentException e) {
            throw new ValidationException(ModelOptionsMapping.inModelTerms(e.getMessage()), e);
        }
        ResolvedCatalogModel model = context.getCatalogModel();
        ModelSchema schema = ModelSchema.of(model.getResolvedInputSchema(), model.getResolvedOutputSchema(), name);
        return new LlmLinguaModelProvider(settings, schema);
    }

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return ModelOptionsMapping.required();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return ModelOptionsMapping.optional();
    }
}
