package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.flink.LlmLinguaOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The CLI's flags for {@link LlmLinguaOptions}, derived from the declarations: one flag per option that reaches the
 * CLI ({@link LlmLinguaOptions#cliFlag}: {@code --rate}, {@code --force-tokens}, {@code --batch-max-wait}, ...),
 * parsed as Flink parses the option (durations {@code 2 ms}, lists {@code a;b}, case-insensitive enums, with
 * {@code -} for {@code _}), plus the aliases of {@link LlmLinguaOptions#CLI_FLAG_ALIASES} and {@code -Dllmlingua.KEY=VALUE}
 * for any option. Values resolve to a Flink {@link Configuration} (defaults, then {@code -D}, then flags) that
 * {@link io.flinkllmlingua.flink.LlmLinguaConfig} turns into the engine's options, so the CLI has the same defaults,
 * units and validation as every other path.
 */
final class CliOptions {
    /** The options {@code llmlingua bench} takes (how the engine runs), the rest are the compression options. */
    static final Set<ConfigOption<?>> ENGINE = Set.of(LlmLinguaOptions.MODEL_ID, LlmLinguaOptions.MODEL_FILE,
            LlmLinguaOptions.FAMILY, LlmLinguaOptions.PROVIDER, LlmLinguaOptions.DEVICE, LlmLinguaOptions.THREADS,
            LlmLinguaOptions.SESSIONS, LlmLinguaOptions.OPTIMIZATION_LEVEL, LlmLinguaOptions.BATCH_MAX_SEQUENCES,
            LlmLinguaOptions.BATCH_MAX_TOKENS, LlmLinguaOptions.BATCH_MAX_WAIT, LlmLinguaOptions.BATCH_LENGTH_BUCKET,
            LlmLinguaOptions.BATCH_MIN_PADDING_EFFICIENCY, LlmLinguaOptions.PAD_TO_512);

    private final CommandSpec spec;
    /** Per option: its main flag, then its aliases. */
    private final Map<ConfigOption<?>, List<OptionSpec>> flags = new LinkedHashMap<>();
    private OptionSpec systemProperties;

    private CliOptions(CommandSpec spec) {
        this.spec = spec;
    }

    /** The flag names of {@code option} that {@link #install} adds (main flag first). */
    static List<String> flagNames(ConfigOption<?> option) {
        List<String> names = new ArrayList<>();
        names.add(LlmLinguaOptions.cliFlag(option));
        names.addAll(LlmLinguaOptions.cliAliases(option));
        return names;
    }

    /**
     * Adds the flags of the options that reach the CLI (only {@link #ENGINE} ones unless {@code compression}) to
     * {@code spec}, in two groups; {@code --model} stays {@link EngineFlags}'s own (with its environment fallback).
     */
    static CliOptions install(CommandSpec spec, boolean compression) {
        CliOptions o = new CliOptions(spec);
        ArgGroupSpec.Builder comp = ArgGroupSpec.builder().exclusive(false).validate(false)
                .heading("%nCompression options (llmlingua.* options; also -Dllmlingua.KEY=VALUE):%n");
        ArgGroupSpec.Builder eng = ArgGroupSpec.builder().exclusive(false).validate(false)
                .heading("%nEngine options (llmlingua.* options):%n");
        for (ConfigOption<?> option : LlmLinguaOptions.options(LlmLinguaOptions.Surface.CLI)) {
            if (option.equals(LlmLinguaOptions.MODEL_PATH) || (!compression && !ENGINE.contains(option))) {
                continue;
            }
            List<OptionSpec> specs = o.specs(option);
            o.flags.put(option, specs);
            for (OptionSpec s : specs) {
                (ENGINE.contains(option) ? eng : comp).addArg(s);
            }
        }
        if (compression) {
            spec.addArgGroup(comp.build());
        }
        spec.addArgGroup(eng.build());
        if (compression) {
            o.systemProperties = OptionSpec.builder("-D").paramLabel("llmlingua.KEY=VALUE")
                    .type(Map.class).auxiliaryTypes(String.class, String.class)
                    .description("Any llmlingua.* option (repeatable), e.g. -Dllmlingua.rate=0.3; flags win.")
                    .build();
            spec.addOption(o.systemProperties);
        }
        return o;
    }

    private List<OptionSpec> specs(ConfigOption<?> option) {
        List<OptionSpec> out = new ArrayList<>();
        String flag = LlmLinguaOptions.cliFlag(option);
        String key = option.key();
        String description = LlmLinguaOptions.descriptionText(option).replace("%", "%%") + " [" + key + "]";
        Class<?> type = LlmLinguaOptions.typeOf(option);
        boolean list = LlmLinguaOptions.isList(option);
        String label = label(option);
        if (list) {
            String def = LlmLinguaOptions.defaultText(option);
            out.add(OptionSpec.builder(flag).paramLabel(label).type(List.class).auxiliaryTypes(String.class)
                    .converters(v -> check(option, v, flag)).description(description + " Default: "
                            + (def == null || def.isEmpty() ? "none" : def) + ".").build());
        } else if (type == Boolean.class) {
            out.add(OptionSpec.builder(flag).type(String.class).arity("0..1").fallbackValue("true")
                    .paramLabel("true|false").converters(v -> check(option, v, flag))
                    .description(description + " Default: ${DEFAULT-VALUE}.").build());
        } else {
            String def = option.hasDefaultValue() ? " Default: ${DEFAULT-VALUE}." : "";
            out.add(OptionSpec.builder(flag).type(String.class).paramLabel(label)
                    .converters(v -> check(option, normalize(option, v), flag)).description(description + def).build());
        }
        for (String alias : LlmLinguaOptions.cliAliases(option)) {
            OptionSpec.Builder b = OptionSpec.builder(alias).hidden(false);
            if (alias.equals("--no-" + flag.substring(2))) {
                b.type(boolean.class).arity("0").description("Same as " + flag + "=false.");
            } else if (alias.endsWith("-us")) {
                b.type(Long.class).paramLabel("US").description("Deprecated: " + flag + " in microseconds.");
            } else if (list) {
                b.type(List.class).auxiliaryTypes(String.class).paramLabel(label.replace(";...", ""))
                        .converters(v -> check(option, v, alias))
                        .description("One element of " + flag + " (repeatable).");
            } else if (type == Boolean.class) {
                b.type(boolean.class).arity("0").description("Same as " + flag + ".");
            } else {
                b.type(String.class).paramLabel(label).converters(v -> check(option, normalize(option, v), alias))
                        .description("Same as " + flag + ".");
            }
            out.add(b.build());
        }
        return out;
    }

    private static String label(ConfigOption<?> option) {
        Class<?> type = LlmLinguaOptions.typeOf(option);
        String base;
        if (type.isEnum()) {
            List<String> names = new ArrayList<>();
            for (Object c : type.getEnumConstants()) {
                names.add(EnumConverter.display((Enum<?>) c));
            }
            base = String.join("|", names);
        } else if (type == java.time.Duration.class) {
            base = "DURATION";
        } else if (type == Double.class) {
            base = "X";
        } else if (type == Integer.class) {
            base = "N";
        } else {
            base = "VALUE";
        }
        return LlmLinguaOptions.isList(option) ? base + ";..." : base;
    }

    /** Enum values written as the CLI displays them ({@code original-spans}) become the enum's name. */
    private static String normalize(ConfigOption<?> option, String v) {
        return LlmLinguaOptions.typeOf(option).isEnum() ? v.trim().replace('-', '_').toUpperCase(Locale.ROOT) : v;
    }

    private static String check(ConfigOption<?> option, String v, String flag) {
        try {
            LlmLinguaOptions.parse(option, v);
            return v;
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException("'" + v + "' is not a valid " + label(option)
                    + " for " + flag);
        }
    }

    /**
     * The {@code llmlingua.*} configuration of this command line: {@code -D} entries (unknown keys refused), then the
     * flags given (which win). Options given neither way keep their declared defaults.
     *
     * @throws IllegalArgumentException for an unknown or non-CLI {@code -D} key
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    Configuration configuration() {
        ParseResult pr = spec.commandLine() == null ? null : spec.commandLine().getParseResult();
        Configuration conf = new Configuration();
        if (systemProperties != null && systemProperties.getValue() != null) {
            Map<String, String> d = systemProperties.getValue();
            for (String k : d.keySet()) {
                if (!k.startsWith(LlmLinguaOptions.PREFIX)) {
                    throw new IllegalArgumentException("unknown option '-D" + k + "' (-D takes llmlingua.* options)");
                }
            }
            LlmLinguaOptions.checkKeys(d.keySet(), LlmLinguaOptions.Surface.CLI, "-D");
            if (d.containsKey(LlmLinguaOptions.MODEL_PATH.key())) {
                throw new IllegalArgumentException("give the model directory as --model (or " + LlmLinguaCli.ENV_MODEL
                        + "), not -D" + LlmLinguaOptions.MODEL_PATH.key());
            }
            d.forEach(conf::setString);
        }
        for (Map.Entry<ConfigOption<?>, List<OptionSpec>> e : flags.entrySet()) {
            ConfigOption<?> option = e.getKey();
            List<OptionSpec> specs = e.getValue();
            boolean list = LlmLinguaOptions.isList(option);
            List<Object> elements = new ArrayList<>();
            boolean any = false;
            for (int i = 0; i < specs.size(); i++) {
                OptionSpec s = specs.get(i);
                if (pr == null || !pr.hasMatchedOption(s)) {
                    continue;
                }
                any = true;
                String name = s.longestName();
                Object value = s.getValue();
                if (list) {
                    for (Object v : (List<?>) value) {
                        if (i == 0) {
                            elements.addAll((List<?>) LlmLinguaOptions.parse(option, (String) v));
                        } else {
                            elements.add(LlmLinguaOptions.typeOf(option) == Integer.class
                                    ? Integer.valueOf(((String) v).trim()) : v);
                        }
                    }
                } else if (name.startsWith("--no-")) {
                    conf.setString(option.key(), "false");
                } else if (name.endsWith("-us")) {
                    conf.setString(option.key(), value + " micros");
                } else if (value instanceof Boolean b) {
                    conf.setString(option.key(), String.valueOf(b));
                } else {
                    conf.setString(option.key(), normalize(option, (String) value));
                }
            }
            if (list && any) {
                conf.set((ConfigOption) option, elements);
            }
        }
        return conf;
    }

    /** {@code message} with {@code 'llmlingua.x'} keys of this command's flags written as the flags. */
    String inFlagTerms(String message) {
        String m = message;
        if (m.contains("(-D)")) {
            return m;
        }
        for (ConfigOption<?> o : flags.keySet()) {
            m = m.replace("'" + o.key() + "'", "'" + LlmLinguaOptions.cliFlag(o) + "'");
        }
        return m.replace("'" + LlmLinguaOptions.MODEL_PATH.key() + "'", "'--model'");
    }
}
