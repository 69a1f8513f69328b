package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.engine.TextEscapes;

import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.ModelFamily;
import io.flinkllmlingua.engine.RenderMode;
import io.flinkllmlingua.engine.SpecialTokenPolicy;
import io.flinkllmlingua.engine.TokenToWord;
import io.flinkllmlingua.jobs.cli.CliRunner.Run;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Flags to engine options and configuration, defaults, escapes and the help text; no model needed. */
class CompressionFlagsTest {

    private static CompressCommand parse(String... args) {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        CommandLine cl = new LlmLinguaCli(new ByteArrayInputStream(new byte[0]), sink, sink, Map.of()).commandLine();
        cl.parseArgs(args);
        return cl.getSubcommands().get("compress").getCommand();
    }

    @Test
    void withoutFlagsTheOptionsAndConfigAreTheEngineDefaults() {
        CompressCommand c = parse("compress");
        assertEquals(CompressionOptions.defaults(), c.compression.toOptions(false));
        assertEquals(EngineConfig.builder(Path.of("m")).build(), c.engine.toConfig(Path.of("m")));
        assertEquals(1, c.concurrency);
    }

    @Test
    void everyCompressionFlagReachesTheOptions() {
        CompressCommand c = parse("compress", "--rate", "0.25", "--target-token", "120",
                "--force-token", "\\n", "--force-token", "!", "--force-reserve-digit", "--drop-consecutive",
                "--chunk-end-token", ".", "--chunk-end-token", "\\u3002", "--token-to-word", "FIRST",
                "--context-level-filter", "--no-token-level-filter", "--target-context", "2",
                "--context-level-rate", "0.5", "--context-level-target-token", "300",
                "--force-context-id", "0", "--force-context-id", "3", "--render-mode", "original-spans",
                "--special-tokens", "count-as-text", "--word-sep", "|", "--label-sep", "\\t");
        CompressionOptions o = c.compression.toOptions(true);
        assertEquals(0.25, o.rate());
        assertEquals(120, o.targetToken());
        assertEquals(List.of("\n", "!"), o.forceTokens());
        assertTrue(o.forceReserveDigit());
        assertTrue(o.dropConsecutive());
        assertEquals(List.of(".", "\u3002"), o.chunkEndTokens());
        assertEquals(TokenToWord.FIRST, o.tokenToWord());
        assertTrue(o.useContextLevelFilter());
        assertFalse(o.useTokenLevelFilter());
        assertEquals(2, o.targetContext());
        assertEquals(0.5, o.contextLevelRate());
        assertEquals(300, o.contextLevelTargetToken());
        assertEquals(List.of(0, 3), o.forceContextIds());
        assertEquals(RenderMode.ORIGINAL_SPANS, o.renderMode());
        assertEquals(SpecialTokenPolicy.COUNT_AS_TEXT, o.specialTokenPolicy());
        assertTrue(o.returnWordLabel());
        assertEquals("|", o.wordSep());
        assertEquals("\t", o.labelSep());
    }

    @Test
    void everyEngineFlagReachesTheConfig() {
        CompressCommand c = parse("compress", "--model", "/m/x", "--model-id", "xlmr", "--provider", "tensorrt",
                "--device", "1", "--threads", "3", "--max-batch", "8", "--max-batch-tokens", "4096",
                "--batch-wait-us", "500", "--length-bucket", "64", "--pad-to-512", "--family", "sentencepiece",
                "--concurrency", "6");
        EngineConfig e = c.engine.toConfig(c.engine.model);
        assertEquals(Path.of("/m/x"), e.modelDir());
        assertEquals("xlmr", e.modelId());
        assertEquals(ExecutionProvider.TENSORRT, e.executionProvider());
        assertEquals(1, e.deviceId());
        assertEquals(3, e.intraOpThreads());
        assertEquals(8, e.maxBatchSequences());
        assertEquals(4096, e.maxBatchTokens());
        assertEquals(java.time.Duration.ofNanos(500_000), e.maxBatchWait());
        assertEquals(64, e.lengthBucket());
        assertTrue(e.padToMaxLength());
        assertEquals(ModelFamily.SENTENCEPIECE, e.family());
        assertEquals(6, c.concurrency);
    }

    @Test
    void theDerivedFlagNamesAndFlinkSyntaxWorkToo() {
        CompressCommand c = parse("compress", "--model", "/m/x", "--batch-max-sequences", "8", "--batch-max-tokens", "4096",
                "--batch-max-wait", "5 ms", "--batch-length-bucket", "64", "--batch-pad-to-512=true",
                "--batch-min-padding-efficiency", "0.5", "--optimization-level", "basic", "--model-file", "q.onnx",
                "--force-tokens", "\\n;!", "--force-token", "?", "--chunk-end-tokens", ".;\\u3002",
                "--force-context-ids", "1;2", "--token-level-filter=false", "--render-mode", "REFERENCE",
                "-Dllmlingua.rate=0.3", "-Dllmlingua.target-token=7");
        EngineConfig e = c.engine.toConfig(c.engine.model);
        assertEquals(8, e.maxBatchSequences());
        assertEquals(4096, e.maxBatchTokens());
        assertEquals(java.time.Duration.ofMillis(5), e.maxBatchWait());
        assertEquals(64, e.lengthBucket());
        assertTrue(e.padToMaxLength());
        assertEquals(0.5, e.minPaddingEfficiency());
        assertEquals(EngineConfig.OptimizationLevel.BASIC, e.optimizationLevel());
        assertEquals("q.onnx", e.modelFile());
        CompressionOptions o = c.compression.toOptions(false);
        assertEquals(List.of("\n", "!", "?"), o.forceTokens());
        assertEquals(List.of(".", "\u3002"), o.chunkEndTokens());
        assertEquals(List.of(1, 2), o.forceContextIds());
        assertFalse(o.useTokenLevelFilter());
        assertEquals(RenderMode.REFERENCE, o.renderMode());
        assertEquals(0.3, o.rate(), "-D sets an option");
        assertEquals(7, o.targetToken());
        assertEquals(0.25, parse("compress", "-Dllmlingua.rate=0.3", "--rate", "0.25").compression.toOptions(false).rate(),
                "a flag wins over -D");
    }

    @Test
    void unknownAndNonCliDKeysAndBadValuesAreUsageErrorsNamingTheFlag() {
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> parse("compress", "-Dllmlingua.rat=0.3").compression.toOptions(false));
        assertEquals("unknown option 'llmlingua.rat' (-D); did you mean 'llmlingua.rate'?", typo.getMessage());
        IllegalArgumentException notCli = assertThrows(IllegalArgumentException.class,
                () -> parse("compress", "-Dllmlingua.async.capacity=3").compression.toOptions(false));
        assertTrue(notCli.getMessage().startsWith("unknown option 'llmlingua.async.capacity' (-D) for the CLI: "),
                notCli.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> parse("compress", "--rate", "1.5").compression.toOptions(false));
        assertTrue(range.getMessage().startsWith("invalid value for option '--rate': 1.5: rate must be >= 0 and <= 1"),
                range.getMessage());
        assertThrows(CommandLine.ParameterException.class, () -> parse("compress", "--batch-max-wait", "soon"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("compress", "--rate", "half"));

        Run r = CliRunner.run("", "compress", "--rat", "0.3");
        assertEquals(LlmLinguaCli.EXIT_USAGE, r.exitCode());
        assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
        assertTrue(r.stderr().contains("--rat") && r.stderr().contains("--rate"), r.stderr());
    }

    @Test
    void escapes() {
        assertEquals("a\nb\tc\r \\d\\", TextEscapes.unescape("a\\nb\\tc\\r\\s\\\\d\\"));
        assertEquals("\u3002x\\u12", TextEscapes.unescape("\\u3002x\\u12"));
        assertEquals("\\x", TextEscapes.unescape("\\x"));
        for (String s : List.of("\n", "\t\t|\t\t", " ", "a b", "\\n", "\u0001")) {
            assertEquals(s, TextEscapes.unescape(TextEscapes.escape(s)), s);
        }
        assertEquals("\\s", TextEscapes.escape(" "));
    }

    @Test
    void enumValuesAreCaseInsensitiveWithDashes() {
        EnumConverter<RenderMode> c = new EnumConverter<>(RenderMode.class);
        assertEquals(RenderMode.ORIGINAL_SPANS, c.convert("Original-Spans"));
        assertEquals(RenderMode.ORIGINAL_SPANS, c.convert("original_spans"));
        assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("spans"));
        assertEquals("original-spans", EnumConverter.display(RenderMode.ORIGINAL_SPANS));
    }

    @Test
    void helpListsEveryFlagWithTheEngineDefaults() {
        Run r = CliRunner.run("", "compress", "--help");
        assertEquals(0, r.exitCode());
        for (String flag : List.of("--jsonl", "--split-paragraphs", "--output", "--errors", "--word-labels",
                "--concurrency", "--rate", "--target-token", "--force-token", "--force-reserve-digit",
                "--drop-consecutive", "--chunk-end-token", "--token-to-word", "--context-level-filter",
                "--no-token-level-filter", "--target-context", "--context-level-rate",
                "--context-level-target-token", "--force-context-id", "--render-mode", "--special-tokens",
                "--model", "--provider", "--device", "--threads", "--max-batch", "--max-batch-tokens",
                "--batch-wait-us", "--pad-to-512", "--family", "--verbose")) {
            assertTrue(r.stdout().contains(flag), flag + " in\n" + r.stdout());
        }
        assertTrue(r.stdout().contains("Default: 0.5"), "rate default from CompressionOptions");
        assertTrue(r.stdout().contains("Default: 2 ms"), "batch wait default from EngineConfig, a Flink duration");
        assertTrue(r.stdout().contains("Default: original-spans"), "the product's render mode");
        assertTrue(r.stdout().contains("Default: \\n;.;!;?."), "the product's force tokens");
        for (String flag : List.of("--batch-max-sequences", "--batch-max-wait", "--batch-length-bucket",
                "--batch-min-padding-efficiency", "--force-tokens", "--chunk-end-tokens", "--model-file", "-D")) {
            assertTrue(r.stdout().contains(flag), flag + " in\n" + r.stdout());
        }
    }
}
