package io.flinkllmlingua.flink.table;

import io.flinkllmlingua.flink.LlmLinguaOptions;
import io.flinkllmlingua.flink.table.internal.SqlCompressor;
import io.flinkllmlingua.flink.table.internal.SqlOutcome;
import io.flinkllmlingua.flink.table.internal.SqlSettings;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.table.functions.AsyncScalarFunction;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * LLMLingua-2 compression as an asynchronous SQL scalar function:
 * {@code LLMLINGUA_COMPRESS(text [, rate])} returns
 * {@code ROW<compressed_text STRING, original_tokens INT, compressed_tokens INT, ratio DOUBLE, kept_fraction DOUBLE>}:
 * the {@link io.flinkllmlingua.flink.CompressedChunk} fields of the same names and units (tokens counted with
 * cl100k_base as the reference does; {@code ratio} = original / compressed tokens, null when every word was
 * dropped; {@code kept_fraction} = compressed / original tokens, in [0, 1]).
 *
 * <p>Nulls: Flink (2.2) does not call an asynchronous scalar function when an argument is null, so a null
 * {@code text} or {@code rate} gives a null ROW whatever the policy ({@code COALESCE(text, '')} makes a null text
 * follow {@link LlmLinguaSqlOptions#EMPTY_TEXT}). Empty and whitespace-only texts follow
 * {@link LlmLinguaSqlOptions#EMPTY_TEXT}; a rate outside (0, 1] or a text the engine refuses follows
 * {@link LlmLinguaSqlOptions#INVALID_INPUT}. A null result is a null ROW (its fields read as null).
 *
 * <p>Each parallel subtask opens one engine in {@link #open} and closes it in {@link #close}; the rows in flight
 * (up to {@code table.exec.async-scalar.max-concurrent-operations}, 10 by default: raise it to 32-64 for batching)
 * share it and are micro-batched into common model calls.
 *
 * <p>Configuration: the {@code llmlingua.*} options of {@link LlmLinguaOptions} that reach SQL (all but the async
 * capacity, order and retries, which are Flink's own table options there), including {@link LlmLinguaSqlOptions}.
 * They come from the constructor's map when given, else from the job parameters (which the SQL runner fills from
 * the cluster configuration's {@code llmlingua.*} keys and the script's {@code SET} statements); an unknown
 * {@code llmlingua.*} key is refused, naming the nearest valid one:
 * <pre>{@code
 * SET 'pipeline.global-job-parameters' = 'llmlingua.model.path:/models/llmlingua-2,llmlingua.rate:0.33';
 * CREATE TEMPORARY SYSTEM FUNCTION LLMLINGUA_COMPRESS AS 'io.flinkllmlingua.flink.table.LlmLinguaCompress';
 * SELECT chunk_id, LLMLINGUA_COMPRESS(text).compressed_text FROM chunks;
 * }</pre>
 * or from the Table API: {@code tEnv.createTemporarySystemFunction("LLMLINGUA_COMPRESS",
 * new LlmLinguaCompress(Map.of("llmlingua.model.path", "/models/x")))}.
 */
@FunctionHint(output = @DataTypeHint(value = LlmLinguaCompress.RESULT_TYPE, bridgedTo = RowData.class))
public class LlmLinguaCompress extends AsyncScalarFunction {
    private static final long serialVersionUID = 1L;

    /** The name the documentation and the shipped scripts register the function under. */
    public static final String NAME = "LLMLINGUA_COMPRESS";
    /** The SQL type of the result. */
    public static final String RESULT_TYPE = "ROW<compressed_text STRING, original_tokens INT, compressed_tokens INT, "
            + "ratio DOUBLE, kept_fraction DOUBLE>";

    private final LinkedHashMap<String, String> options;
    private transient SqlCompressor compressor;

    /** Configured by the job parameters ({@code llmlingua.*} keys), as {@code CREATE FUNCTION ... AS} does. */
    public LlmLinguaCompress() {
        this(Map.of());
    }

    /**
     * Configured by {@code options} ({@code llmlingua.*} keys; they win over the job parameters).
     *
     * @throws IllegalArgumentException for a key that is not an option of the SQL function
     */
    public LlmLinguaCompress(Map<String, String> options) {
        for (String key : options.keySet()) {
            if (!key.startsWith(LlmLinguaOptions.PREFIX)) {
                throw new IllegalArgumentException(NAME + ": unknown option '" + key + "' (options are llmlingua.* keys). "
                        + "Supported options: " + String.join(", ", SqlSettings.keys()));
            }
        }
        try {
            LlmLinguaOptions.checkKeys(options.keySet(), LlmLinguaOptions.Surface.SQL_FUNCTION, null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(NAME + ": " + e.getMessage() + ". Supported options: "
                    + String.join(", ", SqlSettings.keys()), e);
        }
        this.options = new LinkedHashMap<>(options);
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        // every llmlingua.* job parameter when Flink lets us see them (so a misspelt key is refused), then the
        // known keys one by one; the constructor's options win
        values.putAll(LlmLinguaOptions.ofPrefix(jobParameters(context)));
        for (ConfigOption<?> o : SqlSettings.OPTIONS) {
            String value = context.getJobParameter(o.key(), null);
            if (value != null) {
                values.put(o.key(), value);
            }
        }
        values.putAll(options);
        SqlSettings settings;
        try {
            settings = SqlSettings.resolve(Configuration.fromMap(values), NAME);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + ". Pass llmlingua.* options to the function's "
                    + "constructor or set them as job parameters, e.g. SET 'pipeline.global-job-parameters' = '"
                    + LlmLinguaOptions.MODEL_PATH.key() + ":/models/llmlingua-2'", e);
        }
        compressor = SqlCompressor.open(settings, context);
    }

    /**
     * All job parameters: {@link FunctionContext} only answers for a given key, so they are read from its runtime
     * context (or its parameter map) when Flink's internals allow; else none (then only known keys are read).
     */
    @SuppressWarnings("unchecked")
    static Map<String, String> jobParameters(FunctionContext context) {
        try {
            java.lang.reflect.Field f = FunctionContext.class.getDeclaredField("context");
            f.setAccessible(true);
            Object runtime = f.get(context);
            if (runtime instanceof org.apache.flink.api.common.functions.RuntimeContext rc) {
                return rc.getGlobalJobParameters();
            }
            java.lang.reflect.Field p = FunctionContext.class.getDeclaredField("jobParameters");
            p.setAccessible(true);
            Object params = p.get(context);
            return params instanceof Map<?, ?> m ? (Map<String, String>) m : Map.of();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Map.of();
        }
    }

    /** Compresses {@code text} with the configured rate. */
    public void eval(CompletableFuture<RowData> result, String text) {
        eval(result, text, null);
    }

    /** Compresses {@code text} keeping the fraction {@code rate} of its tokens. */
    public void eval(CompletableFuture<RowData> result, String text, Double rate) {
        compressor.compress(text, rate).whenComplete((outcome, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else if (!outcome.hasValue()) {
                result.complete(null);
            } else {
                result.complete(toRow(outcome));
            }
        });
    }

    private static RowData toRow(SqlOutcome o) {
        return GenericRowData.of(o.compressedText() == null ? null : StringData.fromString(o.compressedText()),
                o.originalTokens(), o.compressedTokens(), o.ratio(), o.keptFraction());
    }

    @Override
    public void close() throws Exception {
        if (compressor != null) {
            compressor.close();
            compressor = null;
        }
    }
}
