package io.flinkllmlingua.flink.table;

import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

import static org.apache.flink.configuration.description.TextElement.text;

/**
 * What the SQL function and the ML_PREDICT model do with a row whose text is null, empty or only whitespace
 * (option {@link LlmLinguaSqlOptions#EMPTY_TEXT}). No policy fails the job.
 */
public enum EmptyTextPolicy implements DescribedEnum {
    /** The result is the input: compressed text = the text, tokens counted, ratio and rate 1. */
    PASS_THROUGH("The row passes through: compressed_text is the input text (null for a null text), original_tokens "
            + "= compressed_tokens = its cl100k_base count, ratio 1 and rate 1."),
    /** The result is null (the function's ROW is null; every output column of ML_PREDICT is null). */
    NULL_RESULT("The result is null: LLMLINGUA_COMPRESS returns a null ROW, ML_PREDICT null output columns."),
    /**
     * ML_PREDICT emits no row for it (filtered out). A scalar function cannot drop a row: LLMLINGUA_COMPRESS returns
     * null, as with {@link #NULL_RESULT}; filter with {@code WHERE TRIM(text) <> ''} instead.
     */
    SKIP_ROW("ML_PREDICT drops the row (no output row for it); LLMLINGUA_COMPRESS, which cannot drop rows, returns "
            + "null as with NULL_RESULT.");

    private final String description;

    EmptyTextPolicy(String description) {
        this.description = description;
    }

    @Override
    public InlineElement getDescription() {
        return text(description);
    }
}
