package io.flinkllmlingua.flink.table.internal;

import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.PredictFunction;
import org.apache.flink.table.ml.AsyncPredictRuntimeProvider;
import org.apache.flink.table.ml.ModelProvider;
import org.apache.flink.table.ml.PredictRuntimeProvider;

/** The runtime of an llmlingua2 model: asynchronous (batched across rows, the default) or synchronous. */
public final class LlmLinguaModelProvider implements AsyncPredictRuntimeProvider, PredictRuntimeProvider {
    private final SqlSettings settings;
    private final ModelSchema schema;

    public LlmLinguaModelProvider(SqlSettings settings, ModelSchema schema) {
        this.settings = settings;
        this.schema = schema;
    }

    @Override
    public AsyncPredictFunction createAsyncPredictFunction(ModelProvider.Context context) {
        return new LlmLinguaPredictFunction(settings, schema);
    }

    @Override
    public PredictFunction createPredictFunction(ModelProvider.Context context) {
        return new LlmLinguaSyncPredictFunction(settings, schema);
    }

    @Override
    public ModelProvider copy() {
        return new LlmLinguaModelProvider(settings, schema);
    }

    public SqlSettings settings() {
        return settings;
    }
}
