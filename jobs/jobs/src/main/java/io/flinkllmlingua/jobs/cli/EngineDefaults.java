package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.engine.TextEscapes;

import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.EngineConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.HashMap;
import java.util.Map;

/**
 * Default values of the command-line options, taken from the engine's own defaults ({@link CompressionOptions}
 * and {@link EngineConfig}) so that the help text and the behaviour cannot drift from the library.
 */
public final class EngineDefaults implements CommandLine.IDefaultValueProvider {
    private final Map<String, String> defaults = new HashMap<>();

    public EngineDefaults() {
        CompressionOptions o = CompressionOptions.defaults();
        put("--rate", o.rate());
        put("--target-token", o.targetToken());
        put("--token-to-word", EnumConverter.display(o.tokenToWord()));
        put("--target-context", o.targetContext());
        put("--context-level-rate", o.contextLevelRate());
        put("--context-level-target-token", o.contextLevelTargetToken());
        put("--render-mode", EnumConverter.display(o.renderMode()));
        put("--special-tokens", EnumConverter.display(o.specialTokenPolicy()));
        put("--word-sep", TextEscapes.escape(o.wordSep()));
        put("--label-sep", TextEscapes.escape(o.labelSep()));

        EngineConfig c = EngineConfig.builder("model").build();
        put("--provider", EnumConverter.display(c.executionProvider()));
        put("--device", c.deviceId());
        put("--threads", c.intraOpThreads());
        put("--max-batch", c.maxBatchSequences());
        put("--max-batch-tokens", c.maxBatchTokens());
        put("--batch-wait-us", c.maxBatchWaitMicros());
        put("--length-bucket", c.lengthBucket());
        put("--min-padding-efficiency", c.minPaddingEfficiency());
    }

    private void put(String option, Object value) {
        defaults.put(option, format(value));
    }

    private static String format(Object value) {
        if (value instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
            return Long.toString(d.longValue());
        }
        return String.valueOf(value);
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (argSpec instanceof OptionSpec option) {
            return defaults.get(option.longestName());
        }
        return null;
    }
}
