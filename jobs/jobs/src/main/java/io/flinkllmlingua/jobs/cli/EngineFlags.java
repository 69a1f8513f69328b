package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.flink.LlmLinguaOptions;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * How the engine loads and runs the model: {@code --model} (llmlingua.model.path, with the {@code LLMLINGUA_MODEL}
 * fallback) and the engine flags of {@link io.flinkllmlingua.flink.LlmLinguaOptions} ({@link CliOptions}).
 */
public final class EngineFlags {
    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory (model.onnx, tokenizer.json, config.json). Required unless "
                    + LlmLinguaCli.ENV_MODEL + " is set. [llmlingua.model.path]")
    public Path model;

    /** The command's llmlingua.* flags (set when the command line is built). */
    CliOptions options;

    /** The engine configuration for {@code modelDir}; throws IllegalArgumentException naming the flag on bad values. */
    public EngineConfig toConfig(Path modelDir) {
        Configuration conf = options.configuration();
        conf.set(LlmLinguaOptions.MODEL_PATH, modelDir.toString());
        try {
            return LlmLinguaConfig.engineConfig(conf);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(options.inFlagTerms(e.getMessage()), e);
        }
    }

    /**
     * Adds the engine flags derived from the options to {@code command} (a command outside this package that mixes
     * in these flags, e.g. the benchmarks' {@code bench}).
     */
    public void installOn(CommandLine command) {
        options = CliOptions.install(command.getCommandSpec(), false);
    }
}
