package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.RenderMode;
import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.flink.LlmLinguaOptions;
import io.flinkllmlingua.flink.LlmLinguaOptions.Surface;
import io.flinkllmlingua.flink.table.LlmLinguaCompress;
import io.flinkllmlingua.flink.table.LlmLinguaModelOptions;
import io.flinkllmlingua.flink.table.LlmLinguaModelProviderFactory;
import io.flinkllmlingua.flink.table.internal.ModelOptionsMapping;
import io.flinkllmlingua.flink.table.internal.SqlSettings;
import io.flinkllmlingua.jobs.backfill.BackfillJobMain;
import io.flinkllmlingua.jobs.backfill.BackfillSettings;
import io.flinkllmlingua.jobs.streaming.CompressionJobMain;
import io.flinkllmlingua.jobs.streaming.JobSettings;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One declaration per option: every option of {@link LlmLinguaOptions} reaches every path (the DataStream job and the
 * backfill, the SQL function, the SQL model, the CLI) with the same default, except the documented exclusions, which
 * each path refuses. "Reaches" is checked by effect: a non-default value changes what the path resolves.
 */
class OptionsParityTest {
    private static final String MODEL = "/models/m";

    /** A valid non-default value for every option (a new option without one fails the test). */
    private static final Map<String, String> SAMPLES = Map.ofEntries(
            entry("llmlingua.model.path", "/models/other"), entry("llmlingua.model.id", "m2"),
            entry("llmlingua.model.revision", "r1"), entry("llmlingua.model.file", "q.onnx"),
            entry("llmlingua.family", "SENTENCEPIECE"), entry("llmlingua.provider", "CPU"),
            entry("llmlingua.device", "1"), entry("llmlingua.device.count", "2"),
            entry("llmlingua.gpu.resource-name", "gpu2"), entry("llmlingua.threads", "3"),
            entry("llmlingua.sessions", "3"),            entry("llmlingua.optimization-level", "BASIC"), entry("llmlingua.batch.max-sequences", "8"),
            entry("llmlingua.batch.max-tokens", "4096"), entry("llmlingua.batch.max-wait", "5 ms"),
            entry("llmlingua.batch.length-bucket", "64"), entry("llmlingua.batch.min-padding-efficiency", "0.5"),
            entry("llmlingua.batch.pad-to-512", "true"), entry("llmlingua.rate", "0.3"),
            entry("llmlingua.target-token", "100"), entry("llmlingua.force-tokens", "x;y"),
            entry("llmlingua.force-reserve-digit", "true"), entry("llmlingua.drop-consecutive", "true"),
            entry("llmlingua.chunk-end-tokens", "!"), entry("llmlingua.token-to-word", "FIRST"),
            entry("llmlingua.context-level-filter", "true"), entry("llmlingua.token-level-filter", "false"),
            entry("llmlingua.target-context", "2"), entry("llmlingua.context-level-rate", "0.5"),
            entry("llmlingua.context-level-target-token", "300"), entry("llmlingua.force-context-ids", "1;2"),
            entry("llmlingua.render-mode", "REFERENCE"), entry("llmlingua.special-tokens", "COUNT_AS_TEXT"),
            entry("llmlingua.async.timeout", "5 s"), entry("llmlingua.async.capacity", "8"),
            entry("llmlingua.async.ordered", "true"), entry("llmlingua.retry.max-attempts", "1"),
            entry("llmlingua.retry.backoff", "1 s"), entry("llmlingua.max-text-bytes", "1000"),
            entry("llmlingua.sql.empty-text", "SKIP_ROW"), entry("llmlingua.sql.invalid-input", "FAIL"));

    /** The CLI's own flags, which are not llmlingua.* options (output shape, input format, help). */
    private static final Set<String> CLI_OWN = Set.of("--jsonl", "--split-paragraphs", "-o", "--output", "--errors",
            "--word-labels", "--concurrency", "-q", "--quiet", "--word-sep", "--label-sep", "--model", "-D", "-h",
            "--help", "-V", "--version", "-v", "--verbose", "--chunks", "--details");

    private static String sample(ConfigOption<?> o) {
        String v = SAMPLES.get(o.key());
        if (v == null) {
            fail("no sample value for " + o.key() + " in OptionsParityTest.SAMPLES");
        }
        return v;
    }

    /** Everything a resolved operator configuration holds. */
    private static List<Object> fingerprint(LlmLinguaConfig c) {
        return List.of(c.engine(), c.defaults(), c.modelRevision(), c.device(), c.deviceCount(), c.gpuResource(),
                c.timeout(), c.capacity(), c.ordered(), c.retryMaxAttempts(), c.retryBackoff(), c.maxTextBytes());
    }

    private static List<Object> fingerprint(SqlSettings s) {
        List<Object> f = new ArrayList<>(fingerprint(s.config()));
        f.add(s.emptyText());
        f.add(s.invalidInput());
        return f;
    }

    @Test
    void productDefaultsAreTheEngineBuildersAndTheReferenceIsOneCallAway() {
        CompressionOptions d = CompressionOptions.defaults();
        assertEquals(RenderMode.ORIGINAL_SPANS, d.renderMode());
        assertEquals(List.of("\n", ".", "!", "?"), d.forceTokens());
        CompressionOptions r = CompressionOptions.reference();
        assertEquals(RenderMode.REFERENCE, r.renderMode());
        assertEquals(List.of(), r.forceTokens());
        assertEquals(d.toBuilder().renderMode(RenderMode.REFERENCE).forceTokens(List.of()).build(), r,
                "the reference differs from the product in those two only");

        LlmLinguaConfig c = LlmLinguaConfig.builder(MODEL).build();
        assertEquals(d, c.defaults(), "the options' defaults are the engine builder's");
        assertEquals(EngineConfig.builder(MODEL).build(), c.engine());
        assertEquals(c.engine(), LlmLinguaConfig.fromMap(Map.of("llmlingua.model.path", MODEL)).engine());
        for (ConfigOption<?> o : LlmLinguaOptions.all()) {
            assertTrue(LlmLinguaOptions.descriptionText(o).length() > 10, "a description for " + o.key());
        }
    }

    @Test
    void everyOptionReachesTheDataStreamPathsOrIsRefusedThere() throws Exception {
        List<Object> base = fingerprint(LlmLinguaConfig.fromMap(Map.of("llmlingua.model.path", MODEL)));
        for (ConfigOption<?> o : LlmLinguaOptions.all()) {
            String[] args = {"--bootstrap-servers", "b:9092", "--model", MODEL, "-D" + o.key() + "=" + sample(o)};
            CompressionJobMain job = new CompressionJobMain();
            EntryPoint.commandLine(job, "compress-job", System.err).parseArgs(args);
            BackfillJobMain backfill = new BackfillJobMain();
            EntryPoint.commandLine(backfill, "backfill", System.err).parseArgs("--source", "jsonl", "--sink", "jsonl",
                    "--input", "in", "--output", "out", "--failures", "failed", "--model", MODEL,
                    "-D" + o.key() + "=" + sample(o));
            if (LlmLinguaOptions.exclusion(o, Surface.DATASTREAM).isPresent()) {
                assertThrows(IllegalArgumentException.class, () -> job.settings(new Configuration()), o.key());
                assertThrows(IllegalArgumentException.class, () -> backfill.settings(new Configuration()), o.key());
                continue;
            }
            if (o.equals(LlmLinguaOptions.MODEL_PATH)) {
                continue; // --model wins over -D on purpose; checked by CompressionJobMainTest
            }
            JobSettings s = job.settings(new Configuration());
            BackfillSettings b = backfill.settings(new Configuration());
            assertEquals(s.llmlingua, b.llmlingua, o.key());
            assertNotEquals(base, fingerprint(LlmLinguaConfig.fromMap(s.llmlingua)), o.key() + " reaches the job");
        }
    }

    @Test
    void everyOptionReachesTheSqlFunctionOrIsRefusedThere() {
        assertEquals(LlmLinguaOptions.options(Surface.SQL_FUNCTION), SqlSettings.OPTIONS);
        Configuration model = new Configuration();
        model.setString("llmlingua.model.path", MODEL);
        List<Object> base = fingerprint(SqlSettings.resolve(model, "t"));
        for (ConfigOption<?> o : LlmLinguaOptions.all()) {
            Map<String, String> one = Map.of(o.key(), sample(o));
            Configuration c = new Configuration(model);
            c.setString(o.key(), sample(o));
            if (LlmLinguaOptions.exclusion(o, Surface.SQL_FUNCTION).isPresent()) {
                assertThrows(IllegalArgumentException.class, () -> new LlmLinguaCompress(one), o.key());
                assertThrows(IllegalArgumentException.class, () -> SqlSettings.resolve(c, "t"), o.key());
                continue;
            }
            new LlmLinguaCompress(one);
            assertNotEquals(base, fingerprint(SqlSettings.resolve(c, "t")), o.key() + " reaches the SQL function");
        }
    }

    @Test
    void everyOptionReachesTheSqlModelUnderItsDerivedKeyAndItsFullKey() {
        LlmLinguaModelProviderFactory factory = new LlmLinguaModelProviderFactory();
        Set<String> keys = new TreeSet<>();
        factory.requiredOptions().forEach(o -> keys.add(o.key()));
        factory.optionalOptions().forEach(o -> keys.add(o.key()));
        Set<String> expected = new TreeSet<>();
        for (ConfigOption<?> o : LlmLinguaOptions.options(Surface.SQL_MODEL)) {
            expected.add(LlmLinguaOptions.modelKey(o));
        }
        assertEquals(expected, keys);
        assertTrue(keys.containsAll(List.of("model-path", "execution-provider", "timeout", "rate", "force-tokens",
                "batch.min-padding-efficiency", "batch.length-bucket", "empty-text", "invalid-input")), keys.toString());

        Configuration model = new Configuration();
        model.setString("model-path", MODEL);
        List<Object> base = fingerprint(SqlSettings.resolve(ModelOptionsMapping.toOperatorOptions(model), "m"));
        for (Map.Entry<ConfigOption<?>, ConfigOption<?>> e : LlmLinguaModelOptions.mapping().entrySet()) {
            ConfigOption<?> m = e.getKey();
            ConfigOption<?> o = e.getValue();
            assertEquals(o.hasDefaultValue(), m.hasDefaultValue(), m.key());
            if (o.hasDefaultValue()) {
                assertEquals(o.defaultValue(), m.defaultValue(), "same default for " + m.key());
            }
            assertEquals(List.of(o.key()), fallbacks(m), m.key() + " also accepts its full key");
            if (o.equals(LlmLinguaOptions.MODEL_PATH)) {
                continue;
            }
            for (String key : List.of(m.key(), o.key())) {
                Configuration c = new Configuration(model);
                c.setString(key, sample(o));
                assertNotEquals(base, fingerprint(SqlSettings.resolve(ModelOptionsMapping.toOperatorOptions(c), "m")),
                        key + " reaches the SQL model");
            }
        }
        for (ConfigOption<?> o : LlmLinguaOptions.all()) {
            if (LlmLinguaOptions.exclusion(o, Surface.SQL_MODEL).isPresent()) {
                assertFalse(keys.contains(LlmLinguaOptions.modelKey(o)), o.key() + " is excluded from the model");
            }
        }
    }

    private static List<String> fallbacks(ConfigOption<?> o) {
        List<String> keys = new ArrayList<>();
        o.fallbackKeys().forEach(k -> keys.add(k.getKey()));
        return keys;
    }

    private static CommandLine cli() {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        return new LlmLinguaCli(new ByteArrayInputStream(new byte[0]), sink, sink, Map.of()).commandLine();
    }

    @Test
    void everyOptionIsACliFlagWithTheSameDefaultOrIsRefusedThere() {
        CommandLine cl = cli();
        Set<String> flags = new TreeSet<>();
        for (OptionSpec s : cl.getSubcommands().get("compress").getCommandSpec().options()) {
            flags.addAll(List.of(s.names()));
        }
        flags.removeAll(CLI_OWN);
        Set<String> expected = new TreeSet<>();
        for (ConfigOption<?> o : LlmLinguaOptions.options(Surface.CLI)) {
            if (!o.equals(LlmLinguaOptions.MODEL_PATH)) {
                expected.addAll(CliOptions.flagNames(o));
            }
        }
        assertEquals(expected, flags, "the compress command's llmlingua flags");
        assertEquals("--model", LlmLinguaOptions.cliFlag(LlmLinguaOptions.MODEL_PATH));

        EngineDefaults defaults = new EngineDefaults();
        CompressCommand base = parse();
        List<Object> baseValues = List.of(base.engine.toConfig(java.nio.file.Path.of(MODEL)),
                base.compression.toOptions(false));
        for (ConfigOption<?> o : LlmLinguaOptions.all()) {
            String flag = LlmLinguaOptions.cliFlag(o);
            if (LlmLinguaOptions.exclusion(o, Surface.CLI).isPresent()) {
                assertFalse(flags.contains(flag), flag);
                assertThrows(IllegalArgumentException.class,
                        () -> parse("-D" + o.key() + "=" + sample(o)).compression.toOptions(false), o.key());
                continue;
            }
            if (o.equals(LlmLinguaOptions.MODEL_PATH)) {
                continue;
            }
            if (o.hasDefaultValue() && !LlmLinguaOptions.isList(o)) {
                String shown = defaults.get(flag);
                Object parsed = LlmLinguaOptions.parse(o, LlmLinguaOptions.typeOf(o).isEnum()
                        ? shown.replace('-', '_') : shown);
                assertEquals(o.defaultValue(), parsed, "the CLI's default of " + flag);
            }
            String value = sample(o);
            CompressCommand c = LlmLinguaOptions.typeOf(o) == Boolean.class ? parse(flag + "=" + value) : parse(flag, value);
            List<Object> values = List.of(c.engine.toConfig(java.nio.file.Path.of(MODEL)), c.compression.toOptions(false));
            assertNotEquals(baseValues, values, flag + " reaches the CLI");
            CompressCommand viaD = parse("-D" + o.key() + "=" + value);
            assertEquals(values, List.of(viaD.engine.toConfig(java.nio.file.Path.of(MODEL)),
                    viaD.compression.toOptions(false)), "-D" + o.key() + " is the same as " + flag);
        }
    }

    private static CompressCommand parse(String... args) {
        List<String> all = new ArrayList<>(List.of("compress"));
        for (String a : args) {
            all.add(a);
        }
        CommandLine cl = cli();
        cl.parseArgs(all.toArray(String[]::new));
        return cl.getSubcommands().get("compress").getCommand();
    }

    @Test
    void everyExclusionHasAReasonAndNamesARealOption() {
        for (Map.Entry<ConfigOption<?>, Map<Surface, String>> e : LlmLinguaOptions.exclusions().entrySet()) {
            assertTrue(LlmLinguaOptions.all().contains(e.getKey()), e.getKey().key());
            e.getValue().forEach((s, why) -> assertTrue(why.length() > 15, e.getKey().key() + " " + s));
        }
        assertEquals("; did you mean 'llmlingua.batch.max-wait'?", LlmLinguaOptions.suggestion("llmlingua.batch.maxwait"));
        assertEquals("", LlmLinguaOptions.suggestion("llmlingua.completely-different"));
    }
}
