package io.flinkllmlingua.bench.cli;

import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.bench.BenchModel;
import io.flinkllmlingua.bench.BenchmarkSuite;
import io.flinkllmlingua.bench.SuiteSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code llmlingua-bench bench-suite}: the benchmark suite (model-only ceiling, engine, Flink job via Kafka, naive
 * baseline, Node peer; scaling sweeps), results as markdown, JSON and PNG plots.
 */
@Command(name = "bench-suite", mixinStandardHelpOptions = true,
        description = {"Benchmark suite on one corpus: per model, the model-only ceiling (1), the engine (2), the "
                + "Flink job through Kafka (3), the naive baseline (4) and the Node peer @atjsh/llmlingua-2 (5) side "
                + "by side, then throughput against batch size, sequence length and parallelism and cost against "
                + "document size. Writes RESULTS/<timestamp>/results.md, results.json and PNG plots.",
                "Models are generated (or built) on first use into ~/.cache/flink-llmlingua/models/."})
final class BenchSuiteCommand implements Callable<Integer> {
    @ParentCommand
    BenchMain cli;

    @Spec
    CommandSpec spec;

    @Option(names = "--corpus", required = true, paramLabel = "FILE",
            description = "JSON lines with a 'text' field (e.g. src/test-data/corpora/docs-en.jsonl in a checkout).")
    Path corpus;

    @Option(names = "--quick", description = "Small preset: tiny and MiniLM models, small counts (a few minutes).")
    boolean quick;

    @Option(names = "--models", split = ",", paramLabel = "MODEL[=N]",
            description = "Models and chunks per model, in run order: tiny, minilm, mbert-base-shape, "
                    + "xlmr-large-shape, and the int8 quantisation of the last three (minilm-int8, ...; built by "
                    + "'models quantize' on first use) (default: " + SuiteSettings.DEFAULT_MODELS + "; "
                    + "--quick: tiny=64,minilm=32,minilm-int8=32). Without =N, --records applies.")
    List<String> models;

    @Option(names = "--records", paramLabel = "N", description = "Chunks per model where --models gives none.")
    Integer records;

    @Option(names = "--results", defaultValue = "results", paramLabel = "DIR",
            description = "Results folder (default: ${DEFAULT-VALUE}).")
    Path results;

    @Option(names = "--provider", paramLabel = "auto|cpu|cuda|tensorrt",
            description = "Execution provider of every Java path (default: ${DEFAULT-VALUE}: CUDA when a GPU is "
                    + "present); --provider cuda to insist on the GPU. The Node peer always runs on CPU.")
    ExecutionProvider provider;

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads (default: one per core).")
    Integer threads;

    @Option(names = "--sessions", paramLabel = "N",
            description = "ONNX Runtime sessions per engine (default: the provider's plan, 2 on CPU).")
    Integer sessions;

    @Option(names = "--callers", paramLabel = "N", description = "Concurrent engine callers (default: 16).")
    Integer callers;

    @Option(names = "--rounds", paramLabel = "N",
            description = "Alternating rounds of paths 2 and 6 per model, each path reporting its fastest round "
                    + "(default: " + SuiteSettings.DEFAULT_ROUNDS + ").")
    Integer rounds;

    @Option(names = "--parallelism", paramLabel = "N", description = "Flink parallelism of path 3 (default: 2).")
    Integer parallelism;

    @Option(names = "--rate", paramLabel = "R", description = "Fraction of tokens to keep (default: 0.5).")
    Double rate;

    @Option(names = "--no-flink", description = "Skip the Flink job (path 3 and the parallelism sweep).")
    boolean noFlink;

    @Option(names = "--no-peer", description = "Skip the Node peer (path 5).")
    boolean noPeer;

    @Option(names = "--no-sweeps", description = "Skip the scaling sweeps.")
    boolean noSweeps;

    @Option(names = "--sweep-model", paramLabel = "MODEL",
            description = "Model of the batch, length and parallelism sweeps (default: minilm).")
    String sweepModel;

    @Option(names = "--sweep-records", paramLabel = "N", description = "Chunks per sweep point (default: " + SuiteSettings.DEFAULT_SWEEP_RECORDS + ").")
    Integer sweepRecords;

    @Option(names = "--growth-model", paramLabel = "MODEL", description = "Model of the document-size sweep (default: tiny).")
    String growthModel;

    @Option(names = "--document-bytes", split = ",", paramLabel = "BYTES",
            description = "Document sizes of the growth sweep (default: 1000,10000,100000,1000000,10000000; "
                    + "--quick: up to 100000).")
    List<Long> documentBytes;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(corpus)) {
            cli.stderr().println("bench-suite: corpus not found: " + corpus);
            return BenchMain.EXIT_ERROR;
        }
        SuiteSettings s = quick ? SuiteSettings.quick() : SuiteSettings.defaults();
        s.corpus = corpus;
        s.resultsRoot = results;
        s.provider = provider;
        try {
            if (models != null) {
                Map<BenchModel, Integer> chosen = new LinkedHashMap<>();
                for (String m : models) {
                    String[] kv = m.split("=", 2);
                    BenchModel bm = BenchModel.parse(kv[0]);
                    int n = kv.length == 2 ? Integer.parseInt(kv[1].trim())
                            : records != null ? records : s.records.getOrDefault(bm, 32);
                    chosen.put(bm, n);
                }
                s.records = chosen;
            } else if (records != null) {
                s.records.replaceAll((m, n) -> records);
            }
            if (sweepModel != null) {
                s.sweepModel = BenchModel.parse(sweepModel);
            }
            if (growthModel != null) {
                s.growthModel = BenchModel.parse(growthModel);
            }
        } catch (IllegalArgumentException e) {
            cli.stderr().println("bench-suite: " + e.getMessage());
            return BenchMain.EXIT_ERROR;
        }
        if (noSweeps) {
            s.sweepModel = null;
            s.growthModel = null;
        }
        if (threads != null) {
            s.threads = threads;
        }
        if (sessions != null) {
            s.sessions = sessions;
        }
        if (callers != null) {
            s.callers = callers;
        }
        if (rounds != null) {
            if (rounds < 1) {
                cli.stderr().println("bench-suite: --rounds must be at least 1, got " + rounds);
                return BenchMain.EXIT_ERROR;
            }
            s.rounds = rounds;
        }
        if (parallelism != null) {
            s.parallelism = parallelism;
        }
        if (rate != null) {
            s.rate = rate;
        }
        if (sweepRecords != null) {
            s.sweepRecords = sweepRecords;
        }
        if (documentBytes != null) {
            s.documentBytes = documentBytes;
        }
        s.flink = !noFlink;
        s.peer = !noPeer;
        List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        if (!args.isEmpty() && args.get(0).equals(spec.name())) {
            args.remove(0);
        }
        String command = "llmlingua-bench bench-suite " + String.join(" ", args);
        Path dir = new BenchmarkSuite(s, command, cli.stdout()).run();
        cli.stdout().println("Results: " + dir.resolve("results.md"));
        cli.stdout().flush();
        return BenchMain.EXIT_OK;
    }
}
