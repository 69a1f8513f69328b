package io.flinkllmlingua.flink;

import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.RenderMode;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;
import java.util.List;

/** Configuration options of the LLMLingua-2 operator, with their defaults. Keys start with {@code llmlingua.}. */
public final class LlmLinguaOptions {
    private LlmLinguaOptions() {}

    // ---- model and engine ----

    public static final ConfigOption<String> MODEL_PATH = ConfigOptions.key("llmlingua.model.path")
            .stringType().noDefaultValue()
            .withDescription("Directory holding model.onnx (plus model.onnx_data if any), tokenizer.json and "
                    + "config.json. Must exist on every TaskManager.");

    public static final ConfigOption<String> MODEL_ID = ConfigOptions.key("llmlingua.model.id")
            .stringType().noDefaultValue()
            .withDescription("Model name written to every output record; defaults to the model directory's name.");

    public static final ConfigOption<String> MODEL_REVISION = ConfigOptions.key("llmlingua.model.revision")
            .stringType().defaultValue("")
            .withDescription("Model revision written to every output record (e.g. the hub commit of the export).");

    public static final ConfigOption<ExecutionProvider> PROVIDER = ConfigOptions.key("llmlingua.provider")
            .enumType(ExecutionProvider.class).defaultValue(ExecutionProvider.AUTO)
            .withDescription("ONNX Runtime execution provider: AUTO (CUDA when the task has a GPU), CPU, CUDA or "
                    + "TENSORRT.");

    public static final ConfigOption<Integer> DEVICE = ConfigOptions.key("llmlingua.device")
            .intType().defaultValue(-1)
            .withDescription("GPU index when Flink's external resource 'gpu' gives none; -1 picks the subtask's "
                    + "index modulo llmlingua.device.count.");

    public static final ConfigOption<Integer> DEVICE_COUNT = ConfigOptions.key("llmlingua.device.count")
            .intType().defaultValue(1)
            .withDescription("GPUs per TaskManager used to spread subtasks when no external resource is configured.");

    public static final ConfigOption<String> GPU_RESOURCE = ConfigOptions.key("llmlingua.gpu.resource-name")
            .stringType().defaultValue("gpu")
            .withDescription("Name of Flink's external GPU resource whose 'index' property selects the device.");

    public static final ConfigOption<Integer> THREADS = ConfigOptions.key("llmlingua.threads")
            .intType().defaultValue(0)
            .withDescription("ONNX Runtime intra-op threads per subtask (0: ONNX Runtime's default).");

    public static final ConfigOption<Integer> BATCH_MAX_SEQUENCES = ConfigOptions.key("llmlingua.batch.max-sequences")
            .intType().defaultValue(32)
            .withDescription("Most chunks (512-position sequences) per model call.");

    public static final ConfigOption<Integer> BATCH_MAX_TOKENS = ConfigOptions.key("llmlingua.batch.max-tokens")
            .intType().defaultValue(16384)
            .withDescription("Most padded positions per model call.");

    public static final ConfigOption<Duration> BATCH_MAX_WAIT = ConfigOptions.key("llmlingua.batch.max-wait")
            .durationType().defaultValue(Duration.ofMillis(2))
            .withDescription("How long a partial batch waits for more records before the model runs.");

    public static final ConfigOption<Double> BATCH_MIN_PADDING_EFFICIENCY =
            ConfigOptions.key("llmlingua.batch.min-padding-efficiency")
            .doubleType().defaultValue(0.8)
            .withDescription("A model call stops taking shorter sequences before its real/padded token ratio falls "
                    + "below this; the shorter ones form the next call (0 turns it off).");

    public static final ConfigOption<Boolean> PAD_TO_512 = ConfigOptions.key("llmlingua.batch.pad-to-512")
            .booleanType().defaultValue(false)
            .withDescription("Pad every sequence to 512 positions like the reference (slower; only changes float noise).");

    // ---- compression defaults (a record may override rate, target_token and force_tokens) ----

    public static final ConfigOption<Double> RATE = ConfigOptions.key("llmlingua.rate")
            .doubleType().defaultValue(0.5)
            .withDescription("Fraction of tokens to keep.");

    public static final ConfigOption<Double> TARGET_TOKEN = ConfigOptions.key("llmlingua.target-token")
            .doubleType().defaultValue(-1.0)
            .withDescription("Token budget per chunk (cl100k_base); overrides the rate when > 0.");

    public static final ConfigOption<List<String>> FORCE_TOKENS = ConfigOptions.key("llmlingua.force-tokens")
            .stringType().asList().defaultValues("\n", ".", "!", "?")
            .withDescription("Strings always kept (at most 100), separated by ';'. Escapes \\n, \\t, \\r, \\s (space), "
                    + "\\\\ and \\uXXXX stand for those characters (Flink trims list elements, so a bare newline is lost).");

    public static final ConfigOption<Boolean> FORCE_RESERVE_DIGIT = ConfigOptions.key("llmlingua.force-reserve-digit")
            .booleanType().defaultValue(false)
            .withDescription("Always keep words that contain a digit.");

    public static final ConfigOption<Boolean> DROP_CONSECUTIVE = ConfigOptions.key("llmlingua.drop-consecutive")
            .booleanType().defaultValue(false)
            .withDescription("Drop repeated force tokens with nothing important between them.");

    public static final ConfigOption<RenderMode> RENDER_MODE = ConfigOptions.key("llmlingua.render-mode")
            .enumType(RenderMode.class).defaultValue(RenderMode.REFERENCE)
            .withDescription("REFERENCE reproduces the reference's text; ORIGINAL_SPANS cuts kept words from the "
                    + "original text (an exact subsequence of the input).");

    // ---- operator ----

    public static final ConfigOption<Duration> TIMEOUT = ConfigOptions.key("llmlingua.async.timeout")
            .durationType().defaultValue(Duration.ofSeconds(60))
            .withDescription("Time limit of one record, retries included; a record past it becomes a dead letter.");

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
            .withDescription("Largest text (UTF-8 bytes) accepted; larger records become dead letters.");
}
