package io.flinkllmlingua.engine;

import java.io.Serializable;
import java.util.List;

/**
 * The result of one compression call, with the reference's fields.
 *
 * @param compressedPrompt the surviving contexts' compressed texts joined with {@code "\n\n"}
 * @param compressedPromptList one compressed text per surviving context
 * @param originTokens cl100k_base tokens of all original contexts
 * @param compressedTokens cl100k_base tokens of the returned contexts, each counted separately
 * @param ratio {@code originTokens / compressedTokens} (1 when nothing is left)
 * @param ratePercent {@code 100 / ratio}
 * @param ratioText the reference's string, e.g. {@code "3.3x"}
 * @param rateText the reference's string, e.g. {@code "30.6%"}
 * @param savingText the reference's string, e.g. {@code ", Saving $0.0 in GPT-4."}
 * @param wordLabels per input context, every word with its keep label; null unless requested
 * @param labeledOriginalPrompt the reference's {@code fn_labeled_original_prompt}; null unless requested
 * @param chunks number of model chunks scored
 * @param timings where the time went
 */
public record CompressionResult(
        String compressedPrompt,
        List<String> compressedPromptList,
        int originTokens,
        int compressedTokens,
        double ratio,
        double ratePercent,
        String ratioText,
        String rateText,
        String savingText,
        List<List<WordLabel>> wordLabels,
        String labeledOriginalPrompt,
        int chunks,
        CompressionTimings timings) implements Serializable {
}
