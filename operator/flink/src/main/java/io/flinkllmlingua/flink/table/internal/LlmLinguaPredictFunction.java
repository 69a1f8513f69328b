package io.flinkllmlingua.flink.table.internal;

import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * ML_PREDICT's asynchronous function for an llmlingua2 model: one engine per subtask, shared by the rows in flight
 * (up to ML_PREDICT's {@code max-concurrent-operations}), which the engine batches into common model calls.
 */
public final class LlmLinguaPredictFunction extends AsyncPredictFunction {
    private static final long serialVersionUID = 1L;

    private final SqlSettings settings;
    private final ModelSchema schema;
    private transient SqlCompressor compressor;

    public LlmLinguaPredictFunction(SqlSettings settings, ModelSchema schema) {
        this.settings = settings;
        this.schema = schema;
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        super.open(context);
        compressor = SqlCompressor.open(settings, context);
    }

    @Override
    public CompletableFuture<Collection<RowData>> asyncPredict(RowData input) {
        return compressor.compress(schema.text(input), schema.rate(input)).thenApply(schema::toRows);
    }

    @Override
    public void close() throws Exception {
        try {
            if (compressor != null) {
                compressor.close();
                compressor = null;
            }
        } finally {
            super.close();
        }
    }
}
