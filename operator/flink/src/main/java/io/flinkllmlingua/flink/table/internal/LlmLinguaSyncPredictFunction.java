package io.flinkllmlingua.flink.table.internal;

import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.PredictFunction;

import java.util.Collection;
import java.util.concurrent.CompletionException;

/**
 * ML_PREDICT's synchronous function for an llmlingua2 model ({@code MAP['async', 'false']}): one row at a time, so
 * nothing is batched across rows; the asynchronous function is the fast path.
 */
public final class LlmLinguaSyncPredictFunction extends PredictFunction {
    private static final long serialVersionUID = 1L;

    private final SqlSettings settings;
    private final ModelSchema schema;
    private transient SqlCompressor compressor;

    public LlmLinguaSyncPredictFunction(SqlSettings settings, ModelSchema schema) {
        this.settings = settings;
        this.schema = schema;
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        super.open(context);
        compressor = SqlCompressor.open(settings, context);
    }

    @Override
    public Collection<RowData> predict(RowData input) {
        SqlOutcome o;
        try {
            o = compressor.compress(schema.text(input), schema.rate(input)).join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new RuntimeException(cause.getMessage(), cause);
        }
        return schema.toRows(o);
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
