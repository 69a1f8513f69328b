package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.TextEscapes;
import io.flinkllmlingua.flink.LlmLinguaConfig;
import picocli.CommandLine.Option;

/**
 * The compression options of {@code compress}: the flags of {@link io.flinkllmlingua.flink.LlmLinguaOptions}
 * ({@link CliOptions}, installed by {@link LlmLinguaCli#commandLine()}), plus the word-label separators, which only
 * shape the CLI's {@code --word-labels} output.
 */
final class CompressionFlags {
    @Option(names = "--word-sep", paramLabel = "SEP",
            description = "Word separator of labeled_original_prompt (with --word-labels). Default: ${DEFAULT-VALUE}.")
    String wordSep;

    @Option(names = "--label-sep", paramLabel = "SEP",
            description = "Word/label separator of labeled_original_prompt (with --word-labels). Default: ${DEFAULT-VALUE}.")
    String labelSep;

    /** The command's llmlingua.* flags (set when the command line is built). */
    CliOptions options;

    /**
     * The options as given; throws IllegalArgumentException (an {@link io.flinkllmlingua.engine.InvalidRequestException}
     * for values the engine refuses) naming the flag.
     */
    CompressionOptions toOptions(boolean wordLabels) {
        try {
            return LlmLinguaConfig.compressionOptions(options.configuration()).toBuilder()
                    .returnWordLabel(wordLabels)
                    .wordSep(TextEscapes.unescape(wordSep == null ? CompressionOptions.DEFAULT_WORD_SEP : wordSep))
                    .labelSep(TextEscapes.unescape(labelSep == null ? CompressionOptions.DEFAULT_LABEL_SEP : labelSep))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(options.inFlagTerms(e.getMessage()), e);
        }
    }
}
