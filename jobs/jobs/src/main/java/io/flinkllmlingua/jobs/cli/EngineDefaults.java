package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.TextEscapes;
import io.flinkllmlingua.flink.LlmLinguaOptions;
import org.apache.flink.configuration.ConfigOption;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.HashMap;
import java.util.Map;

/**
 * Default values of the command-line flags, taken from the declarations of {@link LlmLinguaOptions} (whose defaults
 * are the engine builders' product defaults), so that the help text and the behaviour cannot drift from the other
 * paths. List options show theirs in the description instead (picocli would otherwise prepend them to given values).
 */
public final class EngineDefaults implements CommandLine.IDefaultValueProvider {
    private final Map<String, String> defaults = new HashMap<>();

    public EngineDefaults() {
        for (ConfigOption<?> o : LlmLinguaOptions.options(LlmLinguaOptions.Surface.CLI)) {
            if (o.hasDefaultValue() && !LlmLinguaOptions.isList(o)) {
                Object v = o.defaultValue();
                defaults.put(LlmLinguaOptions.cliFlag(o), v instanceof Enum<?> e ? EnumConverter.display(e)
                        : LlmLinguaOptions.format(v));
            }
        }
        defaults.put("--word-sep", TextEscapes.escape(CompressionOptions.DEFAULT_WORD_SEP));
        defaults.put("--label-sep", TextEscapes.escape(CompressionOptions.DEFAULT_LABEL_SEP));
    }

    /** The default shown for {@code flag}, or null. */
    String get(String flag) {
        return defaults.get(flag);
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (argSpec instanceof OptionSpec option) {
            return defaults.get(option.longestName());
        }
        return null;
    }
}
