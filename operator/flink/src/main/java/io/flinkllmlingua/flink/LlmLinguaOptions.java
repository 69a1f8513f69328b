package io.flinkllmlingua.flink;

import io.flinkllmlingua.engine.BatchPlan;
import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.ModelFamily;
import io.flinkllmlingua.engine.RenderMode;
import io.flinkllmlingua.engine.SpecialTokenPolicy;
import io.flinkllmlingua.engine.TokenToWord;
import io.flinkllmlingua.flink.table.LlmLinguaSqlOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * THE list of the product's options: every knob of every path (the Java API's {@link LlmLinguaConfig}, the
 * DataStream job and the backfill ({@code -D}, {@code --config}, the cluster configuration), the SQL function (job
 * parameters), the SQL model ({@code CREATE MODEL ... WITH}) and the CLI's flags) is declared here once, with its
 * default and description; every other list is derived from this one:
 *
 * <ul>
 *   <li>defaults: the engine's builders hold the product defaults ({@link CompressionOptions#builder()},
 *       {@link EngineConfig#builder(String)}); the options below declare theirs from those values, the operator-level
 *       ones are declared here and read by {@link LlmLinguaConfig.Builder};</li>
 *   <li>validation: once, in {@link CompressionOptions.Builder#build()}, {@link EngineConfig.Builder#build()} and
 *       {@link LlmLinguaConfig.Builder#build()};</li>
 *   <li>the SQL model's keys: {@link #modelKey(ConfigOption)} (the key without {@code llmlingua.}, or
 *       {@code llmlingua.sql.}, plus {@link #MODEL_KEY_RENAMES}), each also accepting its full key;</li>
 *   <li>the CLI's flags: {@link #cliFlag(ConfigOption)} ({@code --} and the key's tail with dots as dashes, plus
 *       {@link #CLI_FLAG_RENAMES});</li>
 *   <li>which path an option reaches: every path, except the deliberate exclusions of {@link #exclusions()}, each with
 *       its reason.</li>
 * </ul>
 *
 * Unknown {@code llmlingua.*} keys are refused on every path by {@link #checkKeys}, naming the nearest valid key.
 */
public final class LlmLinguaOptions {
    private LlmLinguaOptions() {}

    /** Prefix of every key. */
    public static final String PREFIX = "llmlingua.";

    /** The paths an option can reach. */
    public enum Surface {
        /** The DataStream job, the backfill, the operator's Java API: {@code -D}, {@code --config}, cluster configuration. */
        DATASTREAM("job, backfill"),
        /** The SQL function {@code LLMLINGUA_COMPRESS}: job parameters or its constructor's map. */
        SQL_FUNCTION("SQL function"),
        /** The {@code llmlingua2} model of {@code ML_PREDICT}: {@code CREATE MODEL ... WITH}. */
        SQL_MODEL("SQL model"),
        /** The command-line tool's {@code compress} flags and {@code -Dllmlingua.*}. */
        CLI("CLI");

        private final String label;

        Surface(String label) {
            this.label = label;
        }

        /** Short name for tables and messages. */
        public String label() {
            return label;
        }
    }

    private static final CompressionOptions C = CompressionOptions.defaults();
    private static final EngineConfig E = EngineConfig.builder("model").build();

    // ---- model and engine ----

    public static final ConfigOption<String> MODEL_PATH = ConfigOptions.key("llmlingua.model.path")
            .stringType().noDefaultValue()
            .withDescription("Model directory: model.onnx (plus model.onnx_data if any), tokenizer.json, config.json. "
                    + "Required; must exist on every TaskManager.");

    public static final ConfigOption<String> MODEL_ID = ConfigOptions.key("llmlingua.model.id")
            .stringType().noDefaultValue()
            .withDescription("Model name in output records, logs and metrics; defaults to the model directory's name.");

    public static final ConfigOption<String> MODEL_REVISION = ConfigOptions.key("llmlingua.model.revision")
            .stringType().defaultValue("")
            .withDescription("Model revision in output records (e.g. the hub commit of the export).");

    public static final ConfigOption<String> MODEL_FILE = ConfigOptions.key("llmlingua.model.file")
            .stringType().defaultValue(E.modelFile())
            .withDescription("ONNX graph file name inside the model directory.");

    public static final ConfigOption<ModelFamily> FAMILY = ConfigOptions.key("llmlingua.family")
            .enumType(ModelFamily.class).noDefaultValue()
            .withDescription("Tokenizer family, WORDPIECE or SENTENCEPIECE; detected from tokenizer.json when unset.");

    public static final ConfigOption<ExecutionProvider> PROVIDER = ConfigOptions.key("llmlingua.provider")
            .enumType(ExecutionProvider.class).defaultValue(E.executionProvider())
            .withDescription("ONNX Runtime execution provider: AUTO (CUDA when the task has a GPU), CPU, CUDA or "
                    + "TENSORRT.");

    public static final ConfigOption<Integer> DEVICE = ConfigOptions.key("llmlingua.device")
            .intType().defaultValue(-1)
            .withDescription("GPU index when Flink's external resource (llmlingua.gpu.resource-name) gives none; -1 "
                    + "picks the subtask's index modulo llmlingua.device.count (the CLI: GPU 0).");

    public static final ConfigOption<Integer> DEVICE_COUNT = ConfigOptions.key("llmlingua.device.count")
            .intType().defaultValue(1)
            .withDescription("GPUs per TaskManager used to spread subtasks when no external resource is configured.");

    public static final ConfigOption<String> GPU_RESOURCE = ConfigOptions.key("llmlingua.gpu.resource-name")
            .stringType().defaultValue("gpu")
            .withDescription("Name of Flink's external GPU resource whose 'index' property selects the device.");

    public static final ConfigOption<Integer> THREADS = ConfigOptions.key("llmlingua.threads")
            .intType().defaultValue(E.intraOpThreads())
            .withDescription("ONNX Runtime intra-op threads per engine, divided among its llmlingua.sessions (0: in the "
                    + "DataStream job and the backfill, the TaskManager's cores divided among the operator's subtasks "
                    + "that share it, one per slot at most; elsewhere one per core).");

    public static final ConfigOption<Integer> SESSIONS = ConfigOptions.key("llmlingua.sessions")
            .intType().defaultValue(E.sessions())
            .withDescription("ONNX Runtime sessions per engine that run model calls at the same time, each on its share "
                    + "of llmlingua.threads, in [1, " + EngineConfig.MAX_SESSIONS + "]; on CPU, sessions of one thread "
                    + "share one ONNX Runtime session and one copy of the weights with every engine of the same model "
                    + "in the TaskManager, otherwise each session holds its own copy; 0: the execution provider's plan (on CPU " + BatchPlan.CPU.sessions() + ", at most one per thread; "
                    + BatchPlan.GPU.sessions() + " on CUDA and TensorRT).");

    public static final ConfigOption<EngineConfig.OptimizationLevel> OPTIMIZATION_LEVEL =
            ConfigOptions.key("llmlingua.optimization-level")
            .enumType(EngineConfig.OptimizationLevel.class).defaultValue(E.optimizationLevel())
            .withDescription("ONNX Runtime graph optimisation: NONE, BASIC, EXTENDED or ALL (BASIC to chase float noise).");

    public static final ConfigOption<Integer> BATCH_MAX_SEQUENCES = ConfigOptions.key("llmlingua.batch.max-sequences")
            .intType().defaultValue(E.maxBatchSequences())
            .withDescription("Most chunks (512-position sequences) per model call; 0: the execution provider's plan "
                    + "(1 on CPU, 32 on CUDA and TensorRT; see the benchmarks).");

    public static final ConfigOption<Integer> BATCH_MAX_TOKENS = ConfigOptions.key("llmlingua.batch.max-tokens")
            .intType().defaultValue(E.maxBatchTokens())
            .withDescription("Most padded positions per model call (at least 512).");

    public static final ConfigOption<Duration> BATCH_MAX_WAIT = ConfigOptions.key("llmlingua.batch.max-wait")
            .durationType().defaultValue(E.maxBatchWait())
            .withDescription("How long a partial batch waits for more records before the model runs.");

    public static final ConfigOption<Integer> BATCH_LENGTH_BUCKET = ConfigOptions.key("llmlingua.batch.length-bucket")
            .intType().defaultValue(E.lengthBucket())
            .withDescription("Padded lengths are rounded up to a multiple of this (fewer distinct shapes), in [1, 512]; "
                    + "0: the execution provider's plan (1, exact length, on CPU; 32 on CUDA and TensorRT).");

    public static final ConfigOption<Double> BATCH_MIN_PADDING_EFFICIENCY =
            ConfigOptions.key("llmlingua.batch.min-padding-efficiency")
            .doubleType().defaultValue(E.minPaddingEfficiency())
            .withDescription("A model call stops taking shorter sequences before its real/padded token ratio falls "
                    + "below this; the shorter ones form the next call (0 turns it off).");

    public static final ConfigOption<Boolean> PAD_TO_512 = ConfigOptions.key("llmlingua.batch.pad-to-512")
            .booleanType().defaultValue(E.padToMaxLength())
            .withDescription("Pad every sequence to 512 positions like the reference (slower; only changes float noise).");

    // ---- compression (a record may override rate, target_token and force_tokens) ----

    public static final ConfigOption<Double> RATE = ConfigOptions.key("llmlingua.rate")
            .doubleType().defaultValue(C.rate())
            .withDescription("Fraction of tokens to keep, in (0, 1] (0 is accepted, but refuses every text that has tokens, as the reference raises on it).");

    public static final ConfigOption<Double> TARGET_TOKEN = ConfigOptions.key("llmlingua.target-token")
            .doubleType().defaultValue(C.targetToken())
            .withDescription("Token budget per text (cl100k_base); overrides the rate when > 0.");

    public static final ConfigOption<List<String>> FORCE_TOKENS = ConfigOptions.key("llmlingua.force-tokens")
            .stringType().asList().defaultValues(C.forceTokens().toArray(new String[0]))
            .withDescription("Strings always kept (at most 100), separated by ';'. Escapes \\n, \\t, \\r, \\s (space), "
                    + "\\\\ and \\uXXXX stand for those characters (Flink trims list elements, so a bare newline is "
                    + "lost; in a properties file write \\\\n). An empty value keeps none.");

    public static final ConfigOption<Boolean> FORCE_RESERVE_DIGIT = ConfigOptions.key("llmlingua.force-reserve-digit")
            .booleanType().defaultValue(C.forceReserveDigit())
            .withDescription("Always keep words that contain a digit.");

    public static final ConfigOption<Boolean> DROP_CONSECUTIVE = ConfigOptions.key("llmlingua.drop-consecutive")
            .booleanType().defaultValue(C.dropConsecutive())
            .withDescription("Drop repeated force tokens with nothing important between them.");

    public static final ConfigOption<List<String>> CHUNK_END_TOKENS = ConfigOptions.key("llmlingua.chunk-end-tokens")
            .stringType().asList().defaultValues(C.chunkEndTokens().toArray(new String[0]))
            .withDescription("Preferred split pieces when a text exceeds 512 model positions, ';'-separated, escapes as "
                    + "for llmlingua.force-tokens.");

    public static final ConfigOption<TokenToWord> TOKEN_TO_WORD = ConfigOptions.key("llmlingua.token-to-word")
            .enumType(TokenToWord.class).defaultValue(C.tokenToWord())
            .withDescription("A word's probability from its pieces: MEAN or FIRST.");

    public static final ConfigOption<Boolean> CONTEXT_LEVEL_FILTER = ConfigOptions.key("llmlingua.context-level-filter")
            .booleanType().defaultValue(C.useContextLevelFilter())
            .withDescription("With two or more contexts, first drop whole contexts (a Flink record is one context).");

    public static final ConfigOption<Boolean> TOKEN_LEVEL_FILTER = ConfigOptions.key("llmlingua.token-level-filter")
            .booleanType().defaultValue(C.useTokenLevelFilter())
            .withDescription("Token-level compression inside the kept contexts (false keeps their words untouched).");

    public static final ConfigOption<Integer> TARGET_CONTEXT = ConfigOptions.key("llmlingua.target-context")
            .intType().defaultValue(C.targetContext())
            .withDescription("Contexts to keep in the context-level filter (-1: unset).");

    public static final ConfigOption<Double> CONTEXT_LEVEL_RATE = ConfigOptions.key("llmlingua.context-level-rate")
            .doubleType().defaultValue(C.contextLevelRate())
            .withDescription("Fraction of contexts to keep in the context-level filter (1 or more: unset, derived from the rate; below 0: only the best-scored contexts).");

    public static final ConfigOption<Double> CONTEXT_LEVEL_TARGET_TOKEN =
            ConfigOptions.key("llmlingua.context-level-target-token")
            .doubleType().defaultValue(C.contextLevelTargetToken())
            .withDescription("Token budget of the context-level filter (-1: unset).");

    public static final ConfigOption<List<Integer>> FORCE_CONTEXT_IDS = ConfigOptions.key("llmlingua.force-context-ids")
            .intType().asList().defaultValues(C.forceContextIds().toArray(new Integer[0]))
            .withDescription("Context indices (0-based, ';'-separated) always kept by the context-level filter.");

    public static final ConfigOption<RenderMode> RENDER_MODE = ConfigOptions.key("llmlingua.render-mode")
            .enumType(RenderMode.class).defaultValue(C.renderMode())
            .withDescription("ORIGINAL_SPANS cuts the kept words from the input (its own characters: URLs, casing, "
                    + "CJK without inserted spaces); REFERENCE reproduces the reference's detokenized text bit for bit. "
                    + "Same keep decisions.");

    public static final ConfigOption<SpecialTokenPolicy> SPECIAL_TOKENS = ConfigOptions.key("llmlingua.special-tokens")
            .enumType(SpecialTokenPolicy.class).defaultValue(C.specialTokenPolicy())
            .withDescription("Texts containing a cl100k special-token string such as <|endoftext|>: REJECT (as the "
                    + "reference's tiktoken) or COUNT_AS_TEXT.");

    // ---- operator ----

    public static final ConfigOption<Duration> TIMEOUT = ConfigOptions.key("llmlingua.async.timeout")
            .durationType().defaultValue(Duration.ofSeconds(60))
            .withDescription("Time limit of one record, retries included; past it the record is a dead letter (SQL: "
                    + "the row fails; keep it below ML_PREDICT's own 'timeout').");

    public static final ConfigOption<Integer> CAPACITY = ConfigOptions.key("llmlingua.async.capacity")
            .intType().defaultValue(64)
            .withDescription("Records in flight per subtask; they are batched together by the engine.");

    public static final ConfigOption<Boolean> ORDERED = ConfigOptions.key("llmlingua.async.ordered")
            .booleanType().defaultValue(false)
            .withDescription("Emit results in input order (true) or as they complete (false, higher throughput).");

    public static final ConfigOption<Integer> RETRY_MAX_ATTEMPTS = ConfigOptions.key("llmlingua.retry.max-attempts")
            .intType().defaultValue(3)
            .withDescription("Retries of a record whose compression failed in the engine (not for bad input).");

    public static final ConfigOption<Duration> RETRY_BACKOFF = ConfigOptions.key("llmlingua.retry.backoff")
            .durationType().defaultValue(Duration.ofMillis(500))
            .withDescription("Delay between retries.");

    public static final ConfigOption<Integer> MAX_TEXT_BYTES = ConfigOptions.key("llmlingua.max-text-bytes")
            .intType().defaultValue(1 << 20)
            .withDescription("Largest text (UTF-8 bytes) accepted; a larger one is a dead letter (SQL: an invalid row).");

    // ---- derivation rules ----

    /** SQL model keys that are not the mechanical {@code key without llmlingua.} (the map is by that tail). */
    public static final Map<String, String> MODEL_KEY_RENAMES = Map.of(
            "model.path", "model-path",
            "model.id", "model-id",
            "model.file", "model-file",
            // in CREATE MODEL, 'provider' names the model provider ('llmlingua2')
            "provider", "execution-provider",
            // ML_PREDICT has its own 'timeout'; the engine's per-row limit keeps its short name there
            "async.timeout", "timeout");

    /** CLI flags that are not the mechanical {@code --tail-with-dashes} (the map is by the key's tail). */
    public static final Map<String, String> CLI_FLAG_RENAMES = Map.of(
            "model.path", "--model");

    /**
     * Deprecated or convenience spellings the CLI also accepts, by key tail: a singular repeatable form of list
     * options, and the flag names of earlier versions.
     */
    public static final Map<String, List<String>> CLI_FLAG_ALIASES = Map.of(
            "force-tokens", List.of("--force-token"),
            "chunk-end-tokens", List.of("--chunk-end-token"),
            "force-context-ids", List.of("--force-context-id"),
            "batch.max-sequences", List.of("--max-batch"),
            "batch.max-tokens", List.of("--max-batch-tokens"),
            "batch.max-wait", List.of("--batch-wait-us"),
            "batch.length-bucket", List.of("--length-bucket"),
            "batch.min-padding-efficiency", List.of("--min-padding-efficiency"),
            "batch.pad-to-512", List.of("--pad-to-512"),
            "token-level-filter", List.of("--no-token-level-filter"));

    private static final String SQL_ASYNC = "Flink's own table options do it in SQL: ML_PREDICT's 'async', "
            + "'max-concurrent-operations', 'output-mode', 'timeout' and 'retry-*' map options, or the function's "
            + "table.exec.async-scalar.* options";

    /**
     * The deliberate exclusions: which option does not reach which path, and why. Everything else reaches every path
     * (enforced by OptionsParityTest).
     */
    public static Map<ConfigOption<?>, Map<Surface, String>> exclusions() {
        return Holder.EXCLUSIONS;
    }

    /** Why {@code option} does not reach {@code surface}, if it does not. */
    public static Optional<String> exclusion(ConfigOption<?> option, Surface surface) {
        return Optional.ofNullable(Holder.EXCLUSIONS.getOrDefault(option, Map.of()).get(surface));
    }

    /** Every option, in declaration order (those of this class, then {@link LlmLinguaSqlOptions}). */
    public static List<ConfigOption<?>> all() {
        return Holder.ALL;
    }

    /** The options that reach {@code surface}. */
    public static List<ConfigOption<?>> options(Surface surface) {
        List<ConfigOption<?>> out = new ArrayList<>();
        for (ConfigOption<?> o : Holder.ALL) {
            if (exclusion(o, surface).isEmpty()) {
                out.add(o);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** The option of {@code key}, if it is one. */
    public static Optional<ConfigOption<?>> option(String key) {
        return Optional.ofNullable(Holder.BY_KEY.get(key));
    }

    /** The key without {@code llmlingua.} (without {@code llmlingua.sql.} for the SQL-only options). */
    public static String tail(ConfigOption<?> option) {
        String k = option.key();
        return k.startsWith(PREFIX + "sql.") ? k.substring(PREFIX.length() + 4) : k.substring(PREFIX.length());
    }

    /** The {@code CREATE MODEL ... WITH} key of {@code option}. */
    public static String modelKey(ConfigOption<?> option) {
        String tail = tail(option);
        return MODEL_KEY_RENAMES.getOrDefault(tail, tail);
    }

    /** The CLI flag of {@code option}. */
    public static String cliFlag(ConfigOption<?> option) {
        String tail = tail(option);
        return CLI_FLAG_RENAMES.getOrDefault(tail, "--" + tail.replace('.', '-'));
    }

    /** The CLI's other spellings of {@code option}'s flag. */
    public static List<String> cliAliases(ConfigOption<?> option) {
        return CLI_FLAG_ALIASES.getOrDefault(tail(option), List.of());
    }

    /**
     * A copy of {@code option} under {@code key}: same type, default and description, with the option's own key as a
     * fallback key (so both spellings work).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <T> ConfigOption<T> renamed(ConfigOption<T> option, String key) {
        Class<?> clazz = typeOf(option);
        boolean list = isList(option);
        ConfigOptions.OptionBuilder b = ConfigOptions.key(key);
        ConfigOptions.TypedConfigOptionBuilder typed;
        if (clazz == String.class) typed = b.stringType();
        else if (clazz == Integer.class) typed = b.intType();
        else if (clazz == Long.class) typed = b.longType();
        else if (clazz == Double.class) typed = b.doubleType();
        else if (clazz == Float.class) typed = b.floatType();
        else if (clazz == Boolean.class) typed = b.booleanType();
        else if (clazz == Duration.class) typed = b.durationType();
        else if (clazz == MemorySize.class) typed = b.memoryType();
        else if (clazz.isEnum()) typed = b.enumType((Class) clazz);
        else throw new IllegalArgumentException("no SQL key for option of type " + clazz + ": " + option.key());
        ConfigOption<T> renamed;
        if (list) {
            ConfigOptions.ListConfigOptionBuilder lb = typed.asList();
            renamed = option.hasDefaultValue() ? lb.defaultValues(((List<?>) option.defaultValue()).toArray())
                    : lb.noDefaultValue();
        } else {
            renamed = option.hasDefaultValue() ? typed.defaultValue(option.defaultValue()) : typed.noDefaultValue();
        }
        return renamed.withFallbackKeys(option.key()).withDescription(option.description());
    }

    /** The value class of {@code option} (the element class for a list). */
    public static Class<?> typeOf(ConfigOption<?> option) {
        try {
            return (Class<?>) GET_CLAZZ.invoke(option);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code option} is a list. */
    public static boolean isList(ConfigOption<?> option) {
        try {
            return (Boolean) IS_LIST.invoke(option);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The description of {@code option} as plain text. */
    public static String descriptionText(ConfigOption<?> option) {
        StringBuilder sb = new StringBuilder();
        for (org.apache.flink.configuration.description.BlockElement b : option.description().getBlocks()) {
            if (b instanceof org.apache.flink.configuration.description.TextElement t) {
                sb.append(sb.length() == 0 ? "" : " ").append(t.getFormat());
            }
        }
        return sb.toString();
    }

    /** The default as written in a configuration (Flink's own syntax), or null without one. */
    public static String defaultText(ConfigOption<?> option) {
        return option.hasDefaultValue() ? format(option.defaultValue()) : null;
    }

    /** {@code value} as a configuration string: durations as {@code 2 ms}, lists ';'-separated with escapes. */
    public static String format(Object value) {
        if (value instanceof Duration d) {
            return org.apache.flink.util.TimeUtils.formatWithHighestUnit(d);
        }
        if (value instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            for (Object o : l) {
                parts.add(o instanceof String s ? io.flinkllmlingua.engine.TextEscapes.escape(s) : String.valueOf(o));
            }
            return String.join(";", parts);
        }
        if (value instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
            return Long.toString(d.longValue());
        }
        return String.valueOf(value);
    }

    /**
     * Parses {@code value} as Flink would for {@code option}.
     *
     * @throws IllegalArgumentException naming the key and the value when it cannot be parsed
     */
    public static <T> T parse(ConfigOption<T> option, String value) {
        Configuration c = new Configuration();
        c.setString(option.key(), value);
        return c.get(option);
    }

    /**
     * Refuses unknown {@code llmlingua.*} keys and those that do not reach {@code surface} (other keys are left to
     * their own owner): {@code unknown option 'llmlingua.rat'; did you mean 'llmlingua.rate'?}.
     *
     * @param where what the keys came from, for the message (e.g. {@code "-D"}), or null
     * @throws IllegalArgumentException on the first such key
     */
    public static void checkKeys(Collection<String> keys, Surface surface, String where) {
        for (String key : keys) {
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            String from = where == null ? "" : " (" + where + ")";
            ConfigOption<?> o = Holder.BY_KEY.get(key);
            if (o == null) {
                throw new IllegalArgumentException("unknown option '" + key + "'" + from + suggestion(key));
            }
            Optional<String> why = surface == null ? Optional.empty() : exclusion(o, surface);
            if (why.isPresent()) {
                throw new IllegalArgumentException("unknown option '" + key + "'" + from + " for the "
                        + surface.label() + ": " + why.get());
            }
        }
    }

    /** {@link #checkKeys(Collection, Surface, String)} for unknown keys only (any surface's key is accepted). */
    public static void checkKeys(Collection<String> keys, String where) {
        checkKeys(keys, null, where);
    }

    /** {@code "; did you mean 'x'?"} for the nearest known key, or {@code ""} when none is near. */
    public static String suggestion(String key) {
        return nearest(key, Holder.BY_KEY.keySet()).map(k -> "; did you mean '" + k + "'?").orElse("");
    }

    /** The candidate nearest to {@code key} by edit distance, when it is close enough to be a typo. */
    public static Optional<String> nearest(String key, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : new TreeSet<>(candidates)) {
            int d = levenshtein(key.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        String tail = key.startsWith(PREFIX) ? key.substring(PREFIX.length()) : key;
        int allowed = Math.max(2, tail.length() / 3);
        return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** The {@code llmlingua.*} entries of {@code map}. */
    public static Map<String, String> ofPrefix(Map<String, String> map) {
        Map<String, String> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static final Method GET_CLAZZ;
    private static final Method IS_LIST;

    static {
        try {
            GET_CLAZZ = ConfigOption.class.getDeclaredMethod("getClazz");
            GET_CLAZZ.setAccessible(true);
            IS_LIST = ConfigOption.class.getDeclaredMethod("isList");
            IS_LIST.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Built on first use, after both option classes are initialised. */
    private static final class Holder {
        static final List<ConfigOption<?>> ALL;
        static final Map<String, ConfigOption<?>> BY_KEY = new LinkedHashMap<>();
        static final Map<ConfigOption<?>, Map<Surface, String>> EXCLUSIONS = new LinkedHashMap<>();

        static {
            List<ConfigOption<?>> all = new ArrayList<>();
            for (Class<?> owner : List.of(LlmLinguaOptions.class, LlmLinguaSqlOptions.class)) {
                for (Field f : owner.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) && Modifier.isPublic(f.getModifiers())
                            && ConfigOption.class.isAssignableFrom(f.getType())) {
                        try {
                            all.add((ConfigOption<?>) f.get(null));
                        } catch (IllegalAccessException e) {
                            throw new ExceptionInInitializerError(e);
                        }
                    }
                }
            }
            ALL = Collections.unmodifiableList(all);
            for (ConfigOption<?> o : all) {
                BY_KEY.put(o.key(), o);
            }

            exclude(MODEL_REVISION, Surface.SQL_FUNCTION, "SQL results carry no model fields");
            exclude(MODEL_REVISION, Surface.SQL_MODEL, "SQL results carry no model fields");
            exclude(MODEL_REVISION, Surface.CLI, "the CLI's output names the model by llmlingua.model.id only");
            exclude(DEVICE_COUNT, Surface.CLI, "spreads Flink subtasks over GPUs; the CLI runs one engine (--device)");
            exclude(GPU_RESOURCE, Surface.CLI, "Flink's external resources do not exist outside a TaskManager");
            for (ConfigOption<?> o : List.of(CAPACITY, ORDERED, RETRY_MAX_ATTEMPTS, RETRY_BACKOFF)) {
                exclude(o, Surface.SQL_FUNCTION, SQL_ASYNC);
                exclude(o, Surface.SQL_MODEL, SQL_ASYNC);
            }
            exclude(CAPACITY, Surface.CLI, "records in flight are the CLI's --concurrency (default 1)");
            exclude(ORDERED, Surface.CLI, "the CLI always writes results in input order");
            exclude(RETRY_MAX_ATTEMPTS, Surface.CLI, "the CLI reports a failed record as an error line, it does not retry");
            exclude(RETRY_BACKOFF, Surface.CLI, "the CLI reports a failed record as an error line, it does not retry");
            exclude(TIMEOUT, Surface.CLI, "the CLI waits for every record (stop it with Ctrl-C)");
            exclude(MAX_TEXT_BYTES, Surface.CLI, "the CLI compresses whole files and lines as given, without a limit");
            for (ConfigOption<?> o : List.of(LlmLinguaSqlOptions.EMPTY_TEXT, LlmLinguaSqlOptions.INVALID_INPUT)) {
                exclude(o, Surface.DATASTREAM, "a SQL row policy; the job and backfill treat empty and invalid "
                        + "records by the record schema's policy (dead letters)");
                exclude(o, Surface.CLI, "a SQL row policy; the CLI treats empty and invalid records by the record "
                        + "schema's policy");
            }
        }

        private static void exclude(ConfigOption<?> o, Surface s, String reason) {
            EXCLUSIONS.computeIfAbsent(o, k -> new EnumMap<>(Surface.class)).put(s, reason);
        }
    }
}
