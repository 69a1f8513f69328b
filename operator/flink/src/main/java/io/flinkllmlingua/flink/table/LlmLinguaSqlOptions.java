package io.flinkllmlingua.flink.table;

import io.flinkllmlingua.flink.LlmLinguaOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Options of the SQL function ({@link LlmLinguaCompress}) and the ML_PREDICT model
 * ({@link LlmLinguaModelProviderFactory}) beyond the operator's {@link LlmLinguaOptions}: what happens to rows
 * that have no text or cannot be compressed. The model takes them without the {@code llmlingua.sql.} prefix
 * (see {@link LlmLinguaModelOptions}).
 */
public final class LlmLinguaSqlOptions {
    private LlmLinguaSqlOptions() {}

    public static final ConfigOption<EmptyTextPolicy> EMPTY_TEXT = ConfigOptions.key("llmlingua.sql.empty-text")
            .enumType(EmptyTextPolicy.class).defaultValue(EmptyTextPolicy.PASS_THROUGH)
            .withDescription("Rows whose text is null, empty or only whitespace: PASS_THROUGH (the text is its own "
                    + "result, ratio 1), NULL_RESULT (null result) or SKIP_ROW (ML_PREDICT emits no row; the "
                    + "function returns null). Never fails the job.");

    public static final ConfigOption<InvalidInputPolicy> INVALID_INPUT = ConfigOptions.key("llmlingua.sql.invalid-input")
            .enumType(InvalidInputPolicy.class).defaultValue(InvalidInputPolicy.NULL_RESULT)
            .withDescription("Rows that cannot be compressed because of their content (a per-row rate outside (0, 1], "
                    + "a text over llmlingua.max-text-bytes, a text the engine refuses): NULL_RESULT (null result, "
                    + "logged and counted in llmlingua.recordsInvalid) or FAIL (the row fails the job with the reason).");
}
