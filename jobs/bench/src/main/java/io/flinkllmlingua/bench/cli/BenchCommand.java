package io.flinkllmlingua.bench.cli;

import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.bench.EngineBenchmark;
import io.flinkllmlingua.jobs.cli.EngineFlags;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code llmlingua-bench bench}: engine throughput on a JSONL corpus, one caller against N concurrent callers sharing
 * one engine, side by side in one run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Engine throughput on a JSONL corpus: a single caller vs N concurrent callers (micro-batched), "
                + "measured side by side in one run.")
final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    BenchMain cli;

    @Option(names = "--corpus", required = true, paramLabel = "FILE",
            description = "JSON lines with a 'text' field (e.g. src/test-data/corpora/docs-en.jsonl in a checkout).")
    Path corpus;

    @Option(names = "--records", defaultValue = "100", description = "Texts to compress (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--callers", defaultValue = "16", description = "Concurrent callers of the batched run (default: ${DEFAULT-VALUE}).")
    int callers;

    @Option(names = "--rate", defaultValue = "0.5", description = "Fraction of tokens to keep (default: ${DEFAULT-VALUE}).")
    double rate;

    @Mixin
    EngineFlags engine = new EngineFlags();

    @Override
    public Integer call() throws Exception {
        String fromEnv = System.getenv(io.flinkllmlingua.jobs.cli.LlmLinguaCli.ENV_MODEL);
        Path model = engine.model != null ? engine.model : fromEnv != null && !fromEnv.isBlank() ? Path.of(fromEnv) : null;
        if (model == null) {
            cli.stderr().println("bench: --model is required (or " + io.flinkllmlingua.jobs.cli.LlmLinguaCli.ENV_MODEL + ")");
            return BenchMain.EXIT_USAGE;
        }
        if (!Files.isRegularFile(corpus)) {
            cli.stderr().println("bench: corpus not found: " + corpus);
            return BenchMain.EXIT_USAGE;
        }
        EngineConfig config = engine.toConfig(model);
        List<String> texts = EngineBenchmark.loadTexts(corpus, records);
        CompressionOptions options = CompressionOptions.builder().rate(rate).build();
        List<EngineBenchmark.Row> rows = EngineBenchmark.compare(config, texts, options, callers, cli.stdout());
        EngineBenchmark.print(rows, cli.stdout());
        cli.stdout().flush();
        return BenchMain.EXIT_OK;
    }
}
