package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.engine.TextEscapes;

import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.RenderMode;
import io.flinkllmlingua.engine.SpecialTokenPolicy;
import io.flinkllmlingua.engine.TokenToWord;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * The compression options of {@code compress}: the reference's {@code compress_prompt_llmlingua2} parameters in
 * kebab case. Defaults are the engine's ({@link EngineDefaults}).
 */
final class CompressionFlags {
    @Option(names = "--rate", paramLabel = "R",
            description = "Fraction of tokens to keep (reference rate; 1 or more keeps everything). Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--target-token", paramLabel = "N",
            description = "Token budget; overrides --rate when positive. Default: ${DEFAULT-VALUE} (unset).")
    double targetToken;

    @Option(names = "--force-token", paramLabel = "TOKEN",
            description = "Always keep this token (repeatable, at most 100). Escapes: \\n \\t \\r \\s \\\\ \\uXXXX.")
    List<String> forceTokens = new ArrayList<>();

    @Option(names = "--force-reserve-digit", description = "Keep every word containing a digit.")
    boolean forceReserveDigit;

    @Option(names = "--drop-consecutive", description = "Drop repeats of a force token in a row.")
    boolean dropConsecutive;

    @Option(names = "--chunk-end-token", paramLabel = "TOKEN",
            description = "Where model chunks may end (repeatable, escapes as for --force-token). Default: '.' and '\\n'.")
    List<String> chunkEndTokens = new ArrayList<>();

    @Option(names = "--token-to-word", paramLabel = "mean|first",
            description = "How piece probabilities become a word's: mean or first. Default: ${DEFAULT-VALUE}.")
    TokenToWord tokenToWord;

    @Option(names = "--context-level-filter",
            description = "Drop whole contexts first (acts with two or more contexts).")
    boolean contextLevelFilter;

    @Option(names = "--no-token-level-filter", description = "Keep the words of kept contexts untouched.")
    boolean noTokenLevelFilter;

    @Option(names = "--target-context", paramLabel = "N",
            description = "Contexts to keep in the context-level filter. Default: ${DEFAULT-VALUE} (unset).")
    int targetContext;

    @Option(names = "--context-level-rate", paramLabel = "R",
            description = "Fraction of contexts to keep, in [0, 1]. Default: ${DEFAULT-VALUE}.")
    double contextLevelRate;

    @Option(names = "--context-level-target-token", paramLabel = "N",
            description = "Token budget of the context-level filter. Default: ${DEFAULT-VALUE} (unset).")
    double contextLevelTargetToken;

    @Option(names = "--force-context-id", paramLabel = "I",
            description = "Always keep context I (0-based, repeatable).")
    List<Integer> forceContextIds = new ArrayList<>();

    @Option(names = "--render-mode", paramLabel = "reference|original-spans",
            description = "reference: the reference's detokenized text; original-spans: kept words cut from the input."
                    + " Default: ${DEFAULT-VALUE}.")
    RenderMode renderMode;

    @Option(names = "--special-tokens", paramLabel = "reject|count-as-text",
            description = "Texts with a cl100k special-token string such as <|endoftext|>: reject (as the reference)"
                    + " or count it as text. Default: ${DEFAULT-VALUE}.")
    SpecialTokenPolicy specialTokens;

    @Option(names = "--word-sep", paramLabel = "SEP",
            description = "Word separator of labeled_original_prompt (with --word-labels). Default: ${DEFAULT-VALUE}.")
    String wordSep;

    @Option(names = "--label-sep", paramLabel = "SEP",
            description = "Word/label separator of labeled_original_prompt (with --word-labels). Default: ${DEFAULT-VALUE}.")
    String labelSep;

    /**
     * The options as given; throws {@link io.flinkllmlingua.engine.InvalidRequestException} when the engine
     * refuses them.
     */
    CompressionOptions toOptions(boolean wordLabels) {
        CompressionOptions.Builder b = CompressionOptions.builder()
                .rate(rate)
                .targetToken(targetToken)
                .forceTokens(unescape(forceTokens))
                .forceReserveDigit(forceReserveDigit)
                .dropConsecutive(dropConsecutive)
                .tokenToWord(tokenToWord)
                .useContextLevelFilter(contextLevelFilter)
                .useTokenLevelFilter(!noTokenLevelFilter)
                .targetContext(targetContext)
                .contextLevelRate(contextLevelRate)
                .contextLevelTargetToken(contextLevelTargetToken)
                .forceContextIds(forceContextIds)
                .renderMode(renderMode)
                .specialTokenPolicy(specialTokens)
                .returnWordLabel(wordLabels)
                .wordSep(TextEscapes.unescape(wordSep))
                .labelSep(TextEscapes.unescape(labelSep));
        if (!chunkEndTokens.isEmpty()) {
            b.chunkEndTokens(unescape(chunkEndTokens));
        }
        return b.build();
    }

    private static List<String> unescape(List<String> values) {
        List<String> out = new ArrayList<>(values.size());
        for (String v : values) {
            out.add(TextEscapes.unescape(v));
        }
        return out;
    }
}
