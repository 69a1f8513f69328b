package io.flinkllmlingua.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.engine.PromptCompressor;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.jobs.backfill.BackfillJob;
import io.flinkllmlingua.jobs.backfill.BackfillReport;
import io.flinkllmlingua.jobs.backfill.BackfillSettings;
import io.flinkllmlingua.models.minilm.UntrainedMiniLmModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Backfill throughput next to the engine-only ceiling, in one command: derives {@code --chunks} chunks from the
 * repository's Debian documentation corpora ({@code src/test-data/corpora}), backfills them JSONL to JSONL on a
 * local Flink (BATCH mode, the MiniLM demo model by default), runs the streaming job on the same chunks (through an
 * in-process Kafka broker, {@link FlinkJobThroughput}), and compresses the same texts with the engine alone
 * ({@code --callers} concurrent callers on one engine), before and after. Each run is split into start-up (until
 * the first compressed chunk) and steady state (first to last compressed chunk, {@link Phases}); the Flink runs are
 * timed from the operator's own metrics ({@link OperatorProgress}). Before the measured runs every path runs once,
 * unreported, on the first {@code --warmup-chunks} chunks: in a fresh process the JIT compiler took up to a quarter of
 * the 2 cores during the Kafka job's measured 16 s (1,000 chunks, 2026-12-04), compiling the Kafka client's, the
 * broker's and Flink's code, which a job that runs for hours pays once. The Kafka runs, warm-up included, share one
 * broker, as a job's broker outlives the job: with a fresh broker for each run the Kafka job reached 0.86-0.91 of each
 * round's engine run on 1,000 chunks, with one 0.90-0.96 (2026-12-08, {@code src/docs/benchmarks/cpu-2026-12-08-broker}).
 *
 * <p>How the chunks are derived (deterministic): the 416 chunks of {@code docs-en.jsonl} and
 * {@code docs-multilingual.jsonl}, in file order, are cut into paragraph-sized pieces: each text is split into
 * sentences (after {@code . ! ?} or a newline) and sentences are packed greedily into pieces of at least
 * {@code --min-chars} characters (a shorter remainder joins the previous piece). The pieces are then cycled, cycle
 * {@code c} giving chunk ids {@code c/<chunk_id>/<piece>} in documents {@code c/<doc_id>}, until there are
 * {@code --chunks} of them.
 */
@Command(name = "backfill-bench", mixinStandardHelpOptions = true,
        description = "Backfill and streaming-job tokens/s (start-up and steady state apart) next to the engine alone on "
                + "the same texts.")
public final class BackfillBenchmark implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--chunks", defaultValue = "10000", description = "Chunks to backfill (default: ${DEFAULT-VALUE}).")
    int chunks;

    @Option(names = "--min-chars", defaultValue = "300", description = "Smallest piece in characters (default: ${DEFAULT-VALUE}).")
    int minChars;

    @Option(names = "--corpora", defaultValue = "src/test-data/corpora",
            description = "Directory with docs-en.jsonl and docs-multilingual.jsonl (default: ${DEFAULT-VALUE}, the "
                    + "repository's corpora, relative to the repository root: run from there or pass --corpora).")
    Path corpora;

    @Option(names = "--work", defaultValue = "target/backfill-bench", description = "Work directory (default: ${DEFAULT-VALUE}).")
    Path work;

    @Option(names = "--model", description = "Model directory (default: the MiniLM demo model, built if missing).")
    Path model;

    @Option(names = {"-p", "--parallelism"}, defaultValue = "1", description = "Backfill parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--progress-interval", defaultValue = "10 s", description = "Progress line interval, a Flink duration (default: ${DEFAULT-VALUE}).")
    java.time.Duration progressInterval;

    @Option(names = "--callers", description = "Concurrent callers of the engine-only runs (default: parallelism x "
            + "llmlingua.async.capacity, the records the job has in flight).")
    Integer callers;

    @Option(names = "--engine-threads", description = "ONNX Runtime threads of the engine-only runs (default: "
            + "llmlingua.threads x parallelism, the job's threads together; ONNX Runtime's default when 0).")
    Integer engineThreads;

    /** The measured runs of a round, in the order they run. */
    enum Run { ENGINE, BACKFILL, KAFKA }

    @Option(names = "--paths", split = ",", defaultValue = "engine,backfill,kafka",
            description = "Runs of each round, always in this order: engine (the engine alone), backfill (JSONL to "
                    + "JSONL), kafka (the streaming job, Kafka -> operator -> exactly-once Kafka); ratios are against "
                    + "the round's engine run, or the first run (default: ${DEFAULT-VALUE}).")
    java.util.EnumSet<Run> paths;

    @Option(names = "--engine-again", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Measure the engine alone once more at the end, to show the machine's drift (default: "
                    + "${DEFAULT-VALUE}).")
    boolean engineAgain;

    @Option(names = "--warmup-chunks", defaultValue = "300",
            description = "Chunks (the first ones) each path compresses once, unmeasured, before the measured runs, so "
                    + "that the JIT compiles the engine's, Flink's and Kafka's code paths there and not during the "
                    + "measured steady state; 0: none (default: ${DEFAULT-VALUE}).")
    int warmupChunks;

    @Option(names = "--rounds", defaultValue = "1",
            description = "Times the measured runs (engine, backfill, Kafka job) are repeated in turn; each round's "
                    + "ratios are against that round's engine run (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = {"-D"}, description = "An llmlingua.* option for every run.")
    Map<String, String> overrides = new LinkedHashMap<>();

    public static void main(String[] args) {
        io.flinkllmlingua.jobs.backfill.BackfillJobMain.localLogging();
        System.exit(io.flinkllmlingua.jobs.cli.EntryPoint.commandLine(new BackfillBenchmark(), "backfill-bench", System.err).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        for (String file : List.of("docs-en.jsonl", "docs-multilingual.jsonl")) {
            if (!Files.isRegularFile(corpora.resolve(file))) {
                System.err.println("backfill-bench: " + corpora.resolve(file) + " not found (--corpora " + corpora
                        + "; the default is relative to the repository root)");
                return 2;
            }
        }
        if (rounds < 1 || paths.isEmpty()) {
            System.err.println("backfill-bench: --rounds must be at least 1 and --paths name at least one run");
            return 2;
        }
        Path modelDir = model != null ? model : UntrainedMiniLmModel.ensure(System.out);
        Files.createDirectories(work);
        Path input = work.resolve("input.jsonl");
        List<String> texts = derive(corpora, chunks, minChars, input);
        long chars = texts.stream().mapToLong(String::length).sum();
        System.out.printf(Locale.ROOT, "%d chunks derived into %s, mean %.0f characters%n", texts.size(), input,
                (double) chars / texts.size());

        Map<String, String> llmlingua = new LinkedHashMap<>();
        llmlingua.put("llmlingua.model.path", modelDir.toString());
        if (model == null) {
            llmlingua.put("llmlingua.model.id", UntrainedMiniLmModel.MODEL_ID);
        }
        llmlingua.putAll(overrides);
        LlmLinguaConfig config = LlmLinguaConfig.fromMap(llmlingua);
        int engineCallers = callers != null ? callers : Math.max(1, parallelism) * config.capacity();
        // Equal resources: the engine alone gets the ONNX Runtime threads of all the job's subtasks together.
        int threads = config.engine().intraOpThreads();
        int engineThreads = this.engineThreads != null ? this.engineThreads
                : threads == 0 ? 0 : threads * Math.max(1, parallelism);
        EngineConfig engineConfig = config.engine().toBuilder().intraOpThreads(engineThreads).build();
        String label = UntrainedMiniLmModel.MODEL_ID;
        System.out.printf(Locale.ROOT, "options %s; engine: %d callers on one engine, %s ONNX Runtime threads; "
                        + "Flink: parallelism %d, capacity %d per subtask, llmlingua.threads %d%n", overrides,
                engineCallers, engineThreads == 0 ? "default" : String.valueOf(engineThreads), parallelism,
                config.capacity(), threads);

        List<Row> rows = new ArrayList<>();
        // One broker for all the Kafka job's runs, the warm-up's included, as a job's broker outlives the job.
        try (FlinkJobThroughput kafka = paths.contains(Run.KAFKA) ? new FlinkJobThroughput() : null) {
            if (warmupChunks > 0) {
                // Every path once on the first chunks, in the order of the measured runs; nothing of it is reported.
                // Derived like the measured chunks, so they are those chunks' first ones, and more of them if asked.
                Path warmupInput = work.resolve("warmup.jsonl");
                List<String> warmup = derive(corpora, warmupChunks, minChars, warmupInput);
                int n = warmup.size();
                System.out.printf(Locale.ROOT, "warm-up: every path once on the first %d chunks (not reported)%n", n);
                if (paths.contains(Run.ENGINE)) {
                    engine(engineConfig, config, warmup, engineCallers, "warm-up, engine", true);
                }
                if (paths.contains(Run.BACKFILL)) {
                    backfill(warmupInput, llmlingua, n, "");
                }
                if (kafka != null) {
                    kafka.measure(label, llmlingua, corpusOf(warmupInput, warmup), parallelism);
                }
            }
            for (int round = 1; round <= rounds; round++) {
                String suffix = rounds > 1 ? " (round " + round + ")" : "";
                if (paths.contains(Run.ENGINE)) {
                    rows.add(engine(engineConfig, config, texts, engineCallers, "engine only, " + engineCallers
                            + " callers" + suffix, true));
                }
                if (paths.contains(Run.BACKFILL)) {
                    rows.add(backfill(input, llmlingua, texts.size(), suffix));
                }
                if (kafka != null) {
                    PathResult r = kafka.measure(label, llmlingua, corpusOf(input, texts), parallelism);
                    rows.add(new Row("Flink job via Kafka, p=" + parallelism + suffix, r.chunks(), r.tokens(),
                            r.seconds(), r.phases(), false));
                }
            }
        }
        if (engineAgain) {
            rows.add(engine(engineConfig, config, texts, engineCallers, "engine only again (drift)", false));
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "%-40s %7s %9s %8s %9s %9s %9s %10s %7s %9s %7s%n", "run", "chunks", "tokens",
                "total s", "tokens/s", "start-up", "steady s", "steady t/s", "vs eng.", "t/CPU-s", "vs eng.");
        boolean complete = true;
        Row engineRow = rows.get(0);
        for (Row r : rows) {
            if (r.reference) {
                engineRow = r;
            }
            double engineSteady = engineRow.phases.steadyTokensPerSecond();
            double engineCpu = engineRow.phases.tokensPerCpuSecond();
            System.out.printf(Locale.ROOT, "%-40s %7d %9d %8.1f %9.0f %9.2f %9.1f %10.0f %7.2f %9.0f %7.2f%n", r.name,
                    r.chunks, r.tokens, r.seconds, r.tokens / r.seconds, r.phases.startupSeconds(),
                    r.phases.steadySeconds(), r.phases.steadyTokensPerSecond(),
                    r.phases.steadyTokensPerSecond() / engineSteady, r.phases.tokensPerCpuSecond(),
                    r.phases.tokensPerCpuSecond() / engineCpu);
            complete &= r.chunks == texts.size();
        }
        System.out.printf(Locale.ROOT, "mean chunk: %.0f characters, %.1f tokens (cl100k); start-up: until the "
                        + "first compressed chunk (engine: its first call's return; backfill and Flink job: from job "
                        + "submission, read from the operator's metrics); steady: first to last compressed chunk; t/CPU-s: steady tokens per CPU-second of the whole process "
                        + "(in-process Kafka broker included); every path warmed up on the first %d chunks first%n",
                (double) chars / texts.size(), (double) rows.get(0).tokens / rows.get(0).chunks, warmupChunks);
        if (ThreadCpu.available()) {
            System.out.println("steady-state CPU by thread (model calls: ONNX Runtime on the batcher's threads; the "
                    + "JVM: its JIT compiler and GC threads; the Kafka broker runs in this process, beside the job):");
            for (Row r : rows) {
                System.out.printf(Locale.ROOT, "  %-40s %s%n", r.name, ThreadCpu.describe(r.phases.steadyCpuByRole()));
            }
        }
        return complete ? 0 : 1;
    }

    /** One measured run of the table; {@code reference}: the engine run that the rows after it are compared with. */
    private record Row(String name, long chunks, long tokens, double seconds, Phases phases, boolean reference) {}

    private Row engine(EngineConfig engineConfig, LlmLinguaConfig config, List<String> texts, int engineCallers,
                       String name, boolean reference) throws Exception {
        EngineThroughput.Run run = EngineThroughput.measure(BenchPath.ENGINE, UntrainedMiniLmModel.MODEL_ID,
                engineConfig, texts, config.defaults(), Math.min(engineCallers, texts.size()), 32);
        PathResult r = run.result();
        System.out.printf(Locale.ROOT, "%s: %d chunks in %.1f s, mean batch %.2f%n", name, r.chunks(), r.seconds(),
                r.meanBatch());
        return new Row(name, r.chunks(), r.tokens(), r.seconds(), r.phases(), reference);
    }

    private Row backfill(Path input, Map<String, String> llmlingua, int expected, String suffix) throws Exception {
        BackfillSettings s = new BackfillSettings();
        s.source = BackfillSettings.SourceKind.JSONL;
        s.inputPath = input.toAbsolutePath().toString();
        s.sink = BackfillSettings.SinkKind.JSONL;
        delete(work.resolve("out"));
        delete(work.resolve("failures"));
        s.outputPath = work.resolve("out").toAbsolutePath().toString();
        s.failuresPath = work.resolve("failures").toAbsolutePath().toString();
        s.parallelism = parallelism;
        s.progressInterval = progressInterval;
        s.llmlingua.putAll(llmlingua);
        s.reportFile = work.resolve("report.json");
        BackfillReport report;
        Phases phases;
        try (OperatorProgress progress = OperatorProgress.create()) {
            // The run includes counting the input lines (a read of the file) before the job's submission.
            progress.start();
            report = BackfillJob.run(io.flinkllmlingua.jobs.cli.LocalFlink.localEnvironment(parallelism,
                    progress.configure(new org.apache.flink.configuration.Configuration())), s);
            phases = progress.finish();
        }
        System.out.println(report.summary());
        if (report.compressed != expected) {
            System.out.println("WARNING: " + report.compressed + " of " + expected + " chunks compressed");
        }
        return new Row("backfill JSONL->JSONL, p=" + parallelism + suffix, report.compressed, report.tokensIn,
                report.wallSeconds, phases, false);
    }

    /** The derived chunks as the corpus of the Kafka job: the lines written to {@code input}. */
    private static BenchCorpus corpusOf(Path input, List<String> texts) throws IOException {
        List<String> lines = Files.readAllLines(input, StandardCharsets.UTF_8);
        return new BenchCorpus(input, List.copyOf(lines), List.copyOf(texts));
    }

    /** Writes the derived chunks (see the class comment) and returns their texts. */
    static List<String> derive(Path corpora, int count, int minChars, Path out) throws IOException {
        List<String[]> pieces = new ArrayList<>(); // doc_id, chunk_id, text, lang
        for (String file : List.of("docs-en.jsonl", "docs-multilingual.jsonl")) {
            for (String line : Files.readAllLines(corpora.resolve(file), StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = JSON.readTree(line);
                List<String> parts = split(n.path("text").asText(), minChars);
                for (int i = 0; i < parts.size(); i++) {
                    pieces.add(new String[] {n.path("doc_id").asText(), n.path("chunk_id").asText() + "/" + i, parts.get(i),
                            n.path("metadata").path("lang").asText("")});
                }
            }
        }
        List<String> texts = new ArrayList<>();
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (int i = 0; i < count; i++) {
                String[] p = pieces.get(i % pieces.size());
                int cycle = i / pieces.size();
                ObjectNode r = JSON.createObjectNode();
                r.put("doc_id", cycle + "/" + p[0]);
                r.put("chunk_id", cycle + "/" + p[1]);
                r.put("text", p[2]);
                r.putObject("metadata").put("lang", p[3]).put("derived", true);
                w.write(JSON.writeValueAsString(r));
                w.write('\n');
                texts.add(p[2]);
            }
        }
        return texts;
    }

    static List<String> split(String text, int minChars) {
        List<String> out = new ArrayList<>();
        StringBuilder piece = new StringBuilder();
        for (String sentence : text.split("(?<=[.!?])\\s+|\\n+")) {
            if (sentence.isBlank()) {
                continue;
            }
            if (piece.length() > 0) {
                piece.append(' ');
            }
            piece.append(sentence.strip());
            if (piece.length() >= minChars) {
                out.add(piece.toString());
                piece.setLength(0);
            }
        }
        if (piece.length() > 0) {
            if (!out.isEmpty() && piece.length() < minChars / 2) {
                out.set(out.size() - 1, out.get(out.size() - 1) + " " + piece);
            } else {
                out.add(piece.toString());
            }
        }
        return out;
    }

    private static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
