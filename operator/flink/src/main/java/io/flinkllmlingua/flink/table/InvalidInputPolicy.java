package io.flinkllmlingua.flink.table;

import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

import static org.apache.flink.configuration.description.TextElement.text;

/**
 * What the SQL function and the ML_PREDICT model do with a row they cannot compress because of its own content
 * (option {@link LlmLinguaSqlOptions#INVALID_INPUT}): a per-row rate outside (0, 1] or NaN, a text over
 * {@code llmlingua.max-text-bytes}, or a text the engine refuses (a special token such as {@code <|endoftext|>},
 * a lone UTF-16 surrogate). Engine failures and timeouts are not covered: they fail the row's future, so
 * Flink's retry and restart strategies apply.
 */
public enum InvalidInputPolicy implements DescribedEnum {
    /** The row fails with an exception naming the reason; the job fails (after Flink's retries, if any). */
    FAIL("The row fails with an error naming the reason (the job fails after Flink's async retries, if any)."),
    /** The result is null and the reason is logged (WARN) and counted (metric llmlingua.recordsInvalid). */
    NULL_RESULT("The result is null (a null ROW, or null ML_PREDICT output columns); the reason is logged at WARN "
            + "and counted in the metric llmlingua.recordsInvalid.");

    private final String description;

    InvalidInputPolicy(String description) {
        this.description = description;
    }

    @Override
    public InlineElement getDescription() {
        return text(description);
    }
}
